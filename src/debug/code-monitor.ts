/**
 * Live debugging in the app's thread (docs/debugging.md): the `captureSnapshot` sites, the
 * debug worker that talks to the collector and holds the inspector session, and the hook the
 * worker calls on a paused frame to read the request context or emit a log point's line.
 *
 * Started only with TRACEKIT_CODE_MONITORING=true, and only when the collector the agent
 * exports to may be trusted with it (loopback, or an API key).
 */
import inspector from 'node:inspector';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { trace } from '@opentelemetry/api';
import type { Exporter } from '../exporter/exporter';
import type { Kit } from '../instrumentations/kit';
import { logRecord } from '../instrumentations/log-records';
import { log } from '../shared/logger';
import { DEBUG_AGENT_PATH } from '../shared/contract';
import { NO_AGENT_ENV } from '../symbols';
import { captureVariables } from './capture-value';
import type { FromDebugWorker, DebugWorkerData, LineCapture, SiteReport, ToDebugWorker } from './protocol';
import { snapshotContext } from './request-context';
import { SnapshotSites } from './snapshot-sites';
import { CaptureBudget, LIMITS } from './value-tree';

/** The global the debug worker reaches from a paused frame (Debugger.evaluateOnCallFrame). */
export const PAUSE_HOOK = Symbol.for('tracekit.debug');

/** What the worker reaches in the app's thread: our own code, never the app's. */
export interface PauseHook {
  /** The paused code's request context, as JSON. */
  context(): string;
  /** Emits a log point's line in the paused code's context. */
  logpoint(breakpointId: string, message: string, target: string): void;
  /**
   * Called by a file:line breakpoint's V8 condition with a function that reads the line's
   * variables: captures them on the first call of each arming (`arming` counts up), and answers
   * false so the app never pauses (docs/debugging.md, "Captures without a pause").
   */
  lineCapture(breakpointId: string, arming: number, read: () => unknown): false;
}

export interface CodeMonitorOptions {
  tracesUrl: string;
  headers: Record<string, string>;
  service: string;
  instance: string;
  appRoot: string | undefined;
  exporter: Exporter;
  /** A log point's line goes out as the log instrumentations' records do. */
  kit: Kit;
  longPollMs?: number;
  fallbackPollMs?: number;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why breakpoints must not be taken from this collector, or undefined when they may. */
export function untrustedCollector(tracesUrl: string, headers: Record<string, string>): string | undefined {
  let url: URL;
  try {
    url = new URL(tracesUrl);
  } catch {
    return 'the export URL is not a URL';
  }
  if (isLoopbackHost(url.hostname)) return undefined;
  if (headers['x-api-key'] === undefined || headers['x-api-key'] === '') return `the collector (${url.host}) is not on this machine and no API key is set (TRACEKIT_API_KEY)`;
  return undefined;
}

export class CodeMonitor {
  readonly sites: SnapshotSites;
  private worker: Worker | undefined;
  private stopped = false;
  private readonly pendingSites: SiteReport[] = [];
  private readonly inspectorFlag = new SharedArrayBuffer(4);
  /** file:line breakpoint id → the arming its condition last captured for. */
  private readonly lineArmings = new Map<string, number>();
  private inspectorTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: CodeMonitorOptions) {
    this.sites = new SnapshotSites({
      appRoot: o.appRoot,
      onSite: (site) => this.sendSite(site),
      onSnapshot: (record) => o.exporter.exportLogs([record]),
      onTooMany: () => log.once('warn', 'snapshot-sites', 'captureSnapshot was called with more than 1000 distinct labels; further labels are ignored'),
    });
  }

  /** Installs the pause hook and starts the debug worker (after the app's first tick). */
  start(): void {
    const hook: PauseHook = {
      context: () => JSON.stringify(snapshotContext()),
      logpoint: (id, message, target) => this.logpoint(id, message, target),
      lineCapture: (id, arming, read) => this.lineCapture(id, arming, read),
    };
    Object.defineProperty(globalThis, PAUSE_HOOK, { value: hook, configurable: true, enumerable: false, writable: false });
    // A port can also be opened later (SIGUSR1, inspector.open()): looked at once a second.
    const flag = new Int32Array(this.inspectorFlag);
    const check = (): void => void Atomics.store(flag, 0, inspector.url() === undefined ? 0 : 1);
    check();
    this.inspectorTimer = setInterval(check, 1000);
    this.inspectorTimer.unref();
    setImmediate(() => this.startWorker()).unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.inspectorTimer);
    delete (globalThis as Record<symbol, unknown>)[PAUSE_HOOK];
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  private startWorker(): void {
    if (this.stopped) return;
    const origin = new URL(this.o.tracesUrl).origin;
    const data: DebugWorkerData = {
      agentUrl: `${origin}${DEBUG_AGENT_PATH}`,
      headers: { ...this.o.headers },
      service: this.o.service,
      instance: this.o.instance,
      appRoot: this.o.appRoot,
      longPollMs: this.o.longPollMs ?? 25_000,
      fallbackPollMs: this.o.fallbackPollMs ?? 30_000,
      inspectorFlag: this.inspectorFlag,
    };
    try {
      const worker = new Worker(join(__dirname, 'debug-worker.js'), {
        execArgv: [],
        env: { ...process.env, [NO_AGENT_ENV]: '1', NODE_OPTIONS: '' },
        workerData: data,
      });
      worker.on('message', (m: FromDebugWorker) => this.onMessage(m));
      worker.on('error', (err) => log.once('warn', 'debug-worker', `live debugging stopped: its worker failed (${String(err)})`));
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = undefined;
      });
      worker.unref();
      this.worker = worker;
      for (const site of this.pendingSites.splice(0)) worker.postMessage({ type: 'site', site });
    } catch (err) {
      log.once('warn', 'debug-worker', `live debugging is off: could not start its worker (${String(err)})`);
    }
  }

  private sendSite(site: SiteReport): void {
    if (this.worker === undefined) this.pendingSites.push(site);
    else this.worker.postMessage({ type: 'site', site });
  }

  private onMessage(m: FromDebugWorker): void {
    try {
      if (m.type === 'snapshot-sites') this.sites.update(m.breakpoints);
      else if (m.type === 'snapshot') this.o.exporter.exportLogs([m.record]);
      else if (m.type === 'log') log.once(m.level, `debug:${m.key}`, m.message);
    } catch (err) {
      log.once('debug', 'debug-message', `live debugging: ${String(err)}`);
    }
  }

  private lineCapture(id: string, arming: number, read: () => unknown): false {
    // Runs of the line between the capture and the breakpoint's removal: nothing to do.
    if ((this.lineArmings.get(id) ?? 0) >= arming) return false;
    // Ids of removed breakpoints stay behind: kept bounded.
    if (this.lineArmings.size >= 1000) this.lineArmings.clear();
    this.lineArmings.set(id, arming);
    const started = performance.now();
    try {
      const budget = new CaptureBudget();
      const variables = captureVariables(read(), budget);
      const context = snapshotContext();
      const holder: { stack?: string } = {};
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = LIMITS.frames * 2 + 3;
      Error.captureStackTrace(holder);
      Error.stackTraceLimit = limit;
      const heldMs = performance.now() - started;
      // Until the worker removes it, every run of the line evaluates the condition again (about
      // 0.4 ms each), so it hears of the capture as soon as the code running now is done (its
      // removal would otherwise interrupt that code), before the capture's text is made and sent.
      queueMicrotask(() => this.toWorker({ type: 'line-capture-taken', id }));
      // The frames are taken now; their text is made (and the capture sent) once the line's
      // code has gone on, so the request does not wait for it.
      setImmediate(() => {
        // Reading `stack` runs the app's Error.prepareStackTrace, if it set one: it may throw.
        let stack = '';
        try {
          stack = holder.stack ?? '';
        } catch {
          // the snapshot goes without its stack
        }
        const capture: LineCapture = { id, variables, context, stack, cut: [...budget.cut], heldMs };
        this.toWorker({ type: 'line-capture', capture });
      });
    } catch (err) {
      // Not expected (the condition reads each variable on its own); the worker pauses instead.
      this.toWorker({ type: 'line-capture-failed', id, message: String(err).slice(0, 200) });
    }
    return false;
  }

  /** A message to the debug worker, from code the app's own turns run: it never throws. */
  private toWorker(m: ToDebugWorker): void {
    try {
      this.worker?.postMessage(m);
    } catch (err) {
      log.once('debug', 'debug-post', `live debugging: could not reach its worker (${String(err)})`);
    }
  }

  private logpoint(id: string, message: string, target: string): void {
    try {
      if (target === 'span-event') {
        trace.getActiveSpan()?.addEvent('tracekit.logpoint', { 'tracekit.breakpoint.id': id, 'log.message': message });
        return;
      }
      this.o.kit.emitLog(logRecord(this.o.kit, 9, 'INFO', message, { 'tracekit.breakpoint.id': id, 'log.source': 'logpoint' }));
    } catch {
      // never into the paused frame
    }
  }
}
