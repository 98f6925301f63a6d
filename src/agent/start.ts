/**
 * Starting the agent: once per process (a global symbol guards it across copies of the
 * package), only on the main thread, never in tracekit's own worker or collector, and never
 * at the price of the app: if anything here throws, one warning line is printed and the app
 * runs untouched.
 */
import { realpathSync } from 'node:fs';
import { packageAt } from '../instrumentations/package-hook';
import { COLLECTOR_PACKAGE } from '../shared/contract';
import { basename, dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';
import { Exporter, type ExportStats } from '../exporter/exporter';
import { createKit, type Kit } from '../instrumentations/kit';
import { installRequireHook } from '../instrumentations/module-hooks';
import { enabledInstrumentations } from '../instrumentations/registry';
import { RequestMetrics } from '../metrics/request-metrics';
import { RuntimeMetrics } from '../metrics/runtime-metrics';
import { AGENT_STARTED, NO_AGENT_ENV } from '../symbols';
import { AsyncLocalStorageContextManager } from '../tracer/context-manager';
import { w3cPropagator } from '../tracer/propagators';
import { setSpanEndHandler } from '../tracer/span';
import { nowMs } from '../tracer/time';
import { TracerProvider } from '../tracer/tracer';
import { applyInitOptions, configFromEnv, type AgentConfig, type InitOptions } from './config';
import { log, setLogLevel } from '../shared/logger';
import { warnAboutEarlyModules, type StartedVia } from './early-modules';
import { installProcessHooks } from './process-hooks';
import { buildResource } from './resource';
import { appRoot } from './app-root';
import { routeRecords } from './route-records';
import { VERSION } from '../shared/version';
import { CodeMonitor, untrustedCollector } from '../debug/code-monitor';
import { describeResource } from '../shared/resource-identity';

export type { StartedVia } from './early-modules';

export interface Agent {
  config: AgentConfig;
  /** Live debugging, when TRACEKIT_CODE_MONITORING is on and the collector may be trusted with it. */
  codeMonitor: CodeMonitor | undefined;
  provider: TracerProvider;
  kit: Kit;
  exporter: Exporter;
  stats(): ExportStats;
  /** Applies `tracekit.init()` options to the running agent. */
  reconfigure(options: InitOptions): void;
  /** Sends everything buffered now. */
  flush(): Promise<void>;
  /** Flushes, stops timers, hooks and the worker. */
  shutdown(): Promise<void>;
}

type Global = typeof globalThis & { [AGENT_STARTED]?: Agent | null };

/** The running agent in this process, if any. */
export function runningAgent(): Agent | undefined {
  return (globalThis as Global)[AGENT_STARTED] ?? undefined;
}

/**
 * True when this process is the `tracekit` command itself (the collector): this repository's
 * bin/tracekit, or the command of an installed tracekit-collector package (through
 * node_modules/.bin too, which is a symlink to it).
 */
function isTracekitCli(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    const real = realpathSync(entry);
    if (real === realpathSync(join(__dirname, '..', '..', 'bin', 'tracekit'))) return true;
    return basename(real) === 'tracekit' && packageAt(dirname(real))?.name === COLLECTOR_PACKAGE;
  } catch {
    return false;
  }
}

/** Why the agent must not start here, or undefined when it may. */
function refusal(): string | undefined {
  if (!isMainThread) return 'not the main thread';
  if (isTracekitCli()) return 'the tracekit command (collector)';
  if (process.env[NO_AGENT_ENV] === '1') return 'a tracekit-internal process';
  return undefined;
}

/**
 * Starts the agent, or returns the one already running. Returns undefined when tracekit is
 * disabled, must not run here, or failed to start (after one warning).
 */
export function startAgent(options: InitOptions | undefined, via: StartedVia): Agent | undefined {
  const g = globalThis as Global;
  if (g[AGENT_STARTED] !== undefined) {
    const existing = g[AGENT_STARTED];
    if (existing && options) existing.reconfigure(options);
    return existing ?? undefined;
  }
  if (refusal() !== undefined) return undefined;
  let config: AgentConfig;
  try {
    config = configFromEnv();
    if (options) config = applyInitOptions(config, options);
    setLogLevel(config.logLevel);
  } catch (err) {
    process.stderr.write(`[tracekit] warn: could not read configuration (${String(err)}); tracekit is off and the app runs without it\n`);
    g[AGENT_STARTED] = null;
    return undefined;
  }
  if (!config.enabled) {
    log.debug('disabled by configuration: no hooks, no worker, no sockets');
    g[AGENT_STARTED] = null;
    return undefined;
  }
  g[AGENT_STARTED] = null; // claimed: a second copy loading concurrently stays out
  try {
    const agent = createAgent(config, via);
    g[AGENT_STARTED] = agent;
    const sampling = `${Number((config.sampleRate * 100).toFixed(2))}%${config.parentBased && config.sampleRate < 1 ? ' (parent-based)' : ''}`;
    const monitoring = agent.codeMonitor !== undefined ? 'on' : 'off';
    log.info(`started (version ${VERSION}): service ${config.serviceName}, exporting to ${config.target.tracesUrl} (${config.target.protocol}), sampling ${sampling}, code monitoring ${monitoring}`);
    log.debug(`started via ${via}`);
    return agent;
  } catch (err) {
    log.warn(`could not start (${err instanceof Error ? err.message : String(err)}); the app runs without tracekit`);
    return undefined;
  }
}

function createAgent(initial: AgentConfig, via: StartedVia): Agent {
  let config = initial;
  warnAboutEarlyModules(via);
  const provider = new TracerProvider({ rate: config.sampleRate, parentBased: config.parentBased });
  const contextManager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(contextManager) || !trace.setGlobalTracerProvider(provider)) {
    throw new Error('another OpenTelemetry SDK is already registered in this process');
  }
  propagation.setGlobalPropagator(w3cPropagator());

  let resource = buildResource(config);
  const exporter = new Exporter(config, resource);
  exporter.start();
  setSpanEndHandler((span) => exporter.add(span));

  const started = nowMs();
  const requestMetrics = new RequestMetrics(config.metricsTemporality, started);
  const kit = createKit(provider.getTracer('tracekit', VERSION), (state) => requestMetrics.record(state), config.nPlusOneThreshold);
  kit.contexts = contextManager;
  kit.appRoot = appRoot();
  kit.routes.onReport = (entries, truncated) => exporter.exportLogs(routeRecords(entries, truncated));
  kit.emitLog = (record) => exporter.addLog(record);
  kit.logsInjection = config.logsInjection;
  const codeMonitor = startCodeMonitor(config, resource, exporter, kit);
  const runtimeMetrics = new RuntimeMetrics(started, () => kit.inflight);
  const collectMetrics = () => {
    const now = nowMs();
    return [...requestMetrics.collect(now), ...runtimeMetrics.collect(now)];
  };

  const instrumentations = enabledInstrumentations(config.instrumentations);
  for (const instr of instrumentations) {
    try {
      instr.enable?.(kit);
    } catch (err) {
      kit.switchFor(instr.name).fail('enable', err);
    }
  }
  const removeModuleHooks = installRequireHook(instrumentations, kit);

  let metricsTimer = setInterval(() => exporter.exportMetrics(collectMetrics()), config.metricsIntervalMs);
  metricsTimer.unref();

  let finalFlushDone = false;
  const removeProcessHooks = installProcessHooks({
    tracer: kit.tracer,
    flush: () => exporter.flush(),
    flushSync: () => {
      // Runtime metrics are sent once at the end; request metrics whenever requests finished since.
      const metrics = finalFlushDone ? requestMetrics.collect(nowMs()) : collectMetrics();
      if (exporter.buffered === 0 && exporter.bufferedLogs === 0 && metrics.length === 0) return;
      finalFlushDone = true;
      exporter.flushSync(metrics);
    },
  });

  return {
    get config() {
      return config;
    },
    provider,
    kit,
    exporter,
    codeMonitor,
    stats: () => ({ ...exporter.stats }),
    reconfigure(options: InitOptions): void {
      config = applyInitOptions(config, options);
      setLogLevel(config.logLevel);
      provider.sampler.rate = config.sampleRate;
      kit.active = config.enabled;
      kit.nPlusOneThreshold = config.nPlusOneThreshold;
      kit.logsInjection = config.logsInjection;
      resource = buildResource(config);
      exporter.reconfigure(config, resource);
      clearInterval(metricsTimer);
      metricsTimer = setInterval(() => exporter.exportMetrics(collectMetrics()), config.metricsIntervalMs);
      metricsTimer.unref();
    },
    flush: async () => {
      exporter.exportMetrics(collectMetrics());
      await exporter.flush();
    },
    async shutdown(): Promise<void> {
      kit.active = false;
      kit.routes.stop();
      codeMonitor?.stop();
      clearInterval(metricsTimer);
      removeProcessHooks();
      removeModuleHooks?.();
      exporter.exportMetrics(collectMetrics());
      runtimeMetrics.stop();
      await exporter.shutdown();
    },
  };
}

/**
 * Live debugging (docs/debugging.md), only when asked for and only from a collector the agent
 * trusts: the one it exports to, on this machine or reached with an API key.
 */
function startCodeMonitor(config: AgentConfig, resource: ReturnType<typeof buildResource>, exporter: Exporter, kit: Kit): CodeMonitor | undefined {
  if (!config.codeMonitoring) return undefined;
  const untrusted = untrustedCollector(config.target.tracesUrl, config.target.headers);
  if (untrusted !== undefined) {
    log.warn(`code monitoring is off: ${untrusted}; breakpoints are only taken from a collector on this machine or one reached with an API key`);
    return undefined;
  }
  const { service, instance } = describeResource(resource.attributes);
  const monitor = new CodeMonitor({ tracesUrl: config.target.tracesUrl, headers: config.target.headers, service, instance, appRoot: kit.appRoot, exporter, kit });
  monitor.start();
  return monitor;
}
