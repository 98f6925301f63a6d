/**
 * What every instrumentation is handed: the tracer, the request-end hook that feeds the
 * metrics, and the failure switch. An instrumentation whose own code throws is switched
 * off and logged once (docs/architecture.md, "Never throw into the app"); the app's call continues unobserved.
 */
import { context as apiContext, type Context, type Tracer } from '@opentelemetry/api';
import { log } from '../shared/logger';
import type { RequestState } from './request-state';
import { RouteInventory } from './route-inventory';
import type { LogRecord } from '../otlp/types';

/** One instrumentation's on/off switch. Checked at the top of every hook: a branch, not a lookup. */
export class Switch {
  on = true;
  constructor(readonly name: string) {}

  /** Switches the instrumentation off after its own code threw, logging once. */
  fail(where: string, err: unknown): void {
    if (!this.on) return;
    this.on = false;
    const msg = err instanceof Error ? err.stack ?? err.message : String(err);
    log.warn(`instrumentation ${this.name} failed in ${where} and is now disabled for this process: ${msg}`);
  }
}

/** The context operations instrumentations call per request or per query (see Kit.contexts). */
export interface ContextCalls {
  active(): Context;
  run<T>(context: Context, fn: () => T): T;
  /** Takes tracekit's context off an async resource that outlives the request it was made in. */
  dropFrom(resource: object): void;
}

export interface Kit {
  tracer: Tracer;
  /** False once the agent is disabled at run time (`init({ enabled: false })`). */
  active: boolean;
  /** Number of server requests currently in flight. */
  inflight: number;
  /** A query template repeated this many times in one request is flagged as N+1. */
  nPlusOneThreshold: number;
  /**
   * The agent's context manager, called directly on per-request paths: the same one the API's
   * `context` uses, without its global lookup and version check on every call.
   */
  contexts: ContextCalls;
  /** Called once per finished server request, sampled or not. */
  onRequestEnd(state: RequestState): void;
  /** The switch for the instrumentation with this name (created on first use). */
  switchFor(name: string): Switch;
  /** The routes the app registers (filled by the express instrumentation, sent by the agent). */
  routes: RouteInventory;
  /** The app's root folder (docs/agent.md): declaration sites are reported relative to it. */
  appRoot: string | undefined;
  /** Hands a captured log record to the exporter (bounded there; a full buffer drops and counts). */
  emitLog(record: LogRecord): void;
  /** Whether pino and winston records the app writes get `trace_id` and `span_id` (TRACEKIT_LOGS_INJECTION). */
  logsInjection: boolean;
}

/** Creates the kit shared by all instrumentations. */
export function createKit(tracer: Tracer, onRequestEnd: (state: RequestState) => void, nPlusOneThreshold = 10): Kit {
  const switches = new Map<string, Switch>();
  return {
    tracer,
    active: true,
    inflight: 0,
    nPlusOneThreshold,
    contexts: { active: () => apiContext.active(), run: (ctx, fn) => apiContext.with(ctx, fn), dropFrom: () => undefined },
    onRequestEnd,
    routes: new RouteInventory(),
    appRoot: undefined,
    emitLog: () => undefined,
    logsInjection: false,
    switchFor(name: string): Switch {
      let s = switches.get(name);
      if (s === undefined) {
        s = new Switch(name);
        switches.set(name, s);
      }
      return s;
    },
  };
}
