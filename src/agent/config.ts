/**
 * Configuration, environment first. Every option has a TRACEKIT_* variable and, where the
 * OpenTelemetry spec defines one, its OTEL_* twin; the TRACEKIT_* one wins. A value that
 * cannot be used produces exactly one warning naming the variable, and the default is kept:
 * a typo in a deployment must never stop the app, nor silently change what it does.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { log, type LogLevel } from '../shared/logger';

/** Every instrumentation name the TRACEKIT_INSTRUMENTATIONS lists understand. */
import { INSTRUMENTATION_NAMES } from '../instrumentations/registry';
import type { InstrumentationName } from '../instrumentations/types';

export { INSTRUMENTATION_NAMES };
export type { InstrumentationName };

import { isLoopbackHost, shouldCompress, type ExportTarget, type OtlpProtocol } from '../exporter/target';

export { isLoopbackHost, shouldCompress };
export type { ExportTarget, OtlpProtocol };

export interface AgentConfig {
  enabled: boolean;
  serviceName: string;
  apiKey: string | undefined;
  sampleRate: number;
  /** Whether a root span's sampling follows an incoming parent's decision. */
  parentBased: boolean;
  codeMonitoring: boolean;
  instrumentations: Set<InstrumentationName>;
  logLevel: LogLevel;
  resourceAttributes: Record<string, string>;
  target: ExportTarget;
  metricsIntervalMs: number;
  /** Delta (default, what the local collector wants) or cumulative metric temporality. */
  metricsTemporality: 'delta' | 'cumulative';
  nPlusOneThreshold: number;
  maxQueueSpans: number;
  maxQueueBytes: number;
  maxBatchSpans: number;
  scheduleDelayMs: number;
  flushTimeoutMs: number;
  /** Add `trace_id`/`span_id` to the pino and winston records the app writes (TRACEKIT_LOGS_INJECTION). */
  logsInjection: boolean;
  /** Captured log records waiting to be sent; beyond it records are dropped and counted. */
  maxQueueLogs: number;
}

/** The options `tracekit.init()` accepts; names follow the seed SDK. */
export interface InitOptions {
  enabled?: boolean;
  serviceName?: string;
  endpoint?: string;
  apiKey?: string;
  sampleRate?: number;
  enableCodeMonitoring?: boolean;
  logLevel?: LogLevel;
  instrumentations?: InstrumentationName[];
  disabledInstrumentations?: InstrumentationName[];
  metricsIntervalMs?: number;
  nPlusOneThreshold?: number;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9876';

type Env = Record<string, string | undefined>;

/** Reads one variable, preferring the first name that is set to a non-empty value. */
function pick(env: Env, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

function bad(name: string, value: string, expected: string, fallback: unknown): void {
  log.warn(`${name}=${JSON.stringify(value)} is not ${expected}; using ${JSON.stringify(fallback)}`);
}

function readBool(env: Env, names: string[], fallback: boolean): boolean {
  const v = pick(env, names);
  if (!v) return fallback;
  const s = v.value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  bad(v.name, v.value, 'a boolean (true or false)', fallback);
  return fallback;
}

function readNumber(env: Env, names: string[], fallback: number, min: number, max: number, integer = false): number {
  const v = pick(env, names);
  if (!v) return fallback;
  const n = Number(v.value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    bad(v.name, v.value, `${integer ? 'an integer' : 'a number'} between ${min} and ${max}`, fallback);
    return fallback;
  }
  return n;
}

/** Parses `k=v,k2=v2` (values percent-encoded), the format of OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES. */
export function parseKeyValueList(name: string, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      log.warn(`${name} has an entry without "key=value" (${JSON.stringify(part.trim())}); it is ignored`);
      continue;
    }
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      log.warn(`${name} has an entry that is not valid percent-encoding (${JSON.stringify(part.trim())}); it is ignored`);
    }
  }
  return out;
}

function validUrl(s: string): URL | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** `http://h:1` → `http://h:1/v1/traces`; a URL that already names a signal path is kept as is. */
export function signalUrl(base: string, signal: 'traces' | 'metrics' | 'logs'): string {
  const trimmed = base.replace(/\/+$/, '');
  if (/\/v1\/(traces|metrics|logs)$/.test(trimmed)) return trimmed.replace(/(traces|metrics|logs)$/, signal);
  return `${trimmed}/v1/${signal}`;
}

function readEndpoint(env: Env): { traces: string; metrics: string; logs: string } {
  const fallback = { traces: signalUrl(DEFAULT_ENDPOINT, 'traces'), metrics: signalUrl(DEFAULT_ENDPOINT, 'metrics'), logs: signalUrl(DEFAULT_ENDPOINT, 'logs') };
  const base = pick(env, ['TRACEKIT_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
  let result = fallback;
  if (base) {
    if (validUrl(base.value)) {
      // TRACEKIT_ENDPOINT may be the seed's full `/v1/traces` URL; OTEL's base form is a prefix.
      result = { traces: signalUrl(base.value, 'traces'), metrics: signalUrl(base.value, 'metrics'), logs: signalUrl(base.value, 'logs') };
    } else {
      bad(base.name, base.value, 'an http(s) URL', DEFAULT_ENDPOINT);
    }
  }
  // Per-signal OTEL variables are full URLs and only apply when no TRACEKIT_ENDPOINT is set.
  if (!env.TRACEKIT_ENDPOINT) {
    for (const [key, name] of [['traces', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'], ['metrics', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'], ['logs', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT']] as const) {
      const v = pick(env, [name]);
      if (!v) continue;
      if (validUrl(v.value)) result = { ...result, [key]: v.value };
      else bad(name, v.value, 'an http(s) URL', result[key]);
    }
  }
  return result;
}

function readSampler(env: Env): { rate: number; parentBased: boolean } {
  const tk = pick(env, ['TRACEKIT_SAMPLE_RATE']);
  if (tk) return { rate: readNumber(env, ['TRACEKIT_SAMPLE_RATE'], 1, 0, 1), parentBased: true };
  const sampler = pick(env, ['OTEL_TRACES_SAMPLER']);
  if (!sampler) return { rate: 1, parentBased: true };
  const arg = (): number => readNumber(env, ['OTEL_TRACES_SAMPLER_ARG'], 1, 0, 1);
  switch (sampler.value.toLowerCase()) {
    case 'always_on': return { rate: 1, parentBased: false };
    case 'always_off': return { rate: 0, parentBased: false };
    case 'traceidratio': return { rate: arg(), parentBased: false };
    case 'parentbased_always_on': return { rate: 1, parentBased: true };
    case 'parentbased_always_off': return { rate: 0, parentBased: true };
    case 'parentbased_traceidratio': return { rate: arg(), parentBased: true };
    default:
      bad(sampler.name, sampler.value, 'a supported sampler (always_on, always_off, traceidratio, parentbased_*)', 'parentbased_always_on');
      return { rate: 1, parentBased: true };
  }
}

function readInstrumentations(env: Env): Set<InstrumentationName> {
  const parse = (name: string): InstrumentationName[] | undefined => {
    const v = pick(env, [name]);
    if (!v) return undefined;
    const out: InstrumentationName[] = [];
    for (const raw of v.value.split(',')) {
      const item = raw.trim().toLowerCase();
      if (item === '') continue;
      if (INSTRUMENTATION_NAMES.includes(item)) out.push(item);
      else log.warn(`${name} names an unknown instrumentation ${JSON.stringify(item)}; known: ${INSTRUMENTATION_NAMES.join(',')}`);
    }
    return out;
  };
  const only = parse('TRACEKIT_INSTRUMENTATIONS');
  const set = new Set<InstrumentationName>(only ?? INSTRUMENTATION_NAMES);
  for (const name of parse('TRACEKIT_DISABLED_INSTRUMENTATIONS') ?? []) set.delete(name);
  return set;
}

function readLogLevel(env: Env): LogLevel {
  const v = pick(env, ['TRACEKIT_LOG_LEVEL', 'OTEL_LOG_LEVEL']);
  if (!v) return 'warn';
  const s = v.value.toLowerCase();
  if (s === 'error' || s === 'warn' || s === 'info' || s === 'debug') return s;
  if (s === 'none') return 'error';
  if (s === 'verbose' || s === 'all') return 'debug';
  bad(v.name, v.value, 'one of error, warn, info, debug', 'warn');
  return 'warn';
}

function readProtocol(env: Env): OtlpProtocol {
  const v = pick(env, ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
  if (!v) return 'http/protobuf';
  if (v.value === 'http/protobuf' || v.value === 'http/json') return v.value;
  bad(v.name, v.value, 'http/protobuf or http/json (grpc is not supported)', 'http/protobuf');
  return 'http/protobuf';
}

function readCompression(env: Env): 'gzip' | 'none' | 'auto' {
  const v = pick(env, ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION']);
  if (!v) return 'auto';
  if (v.value === 'gzip' || v.value === 'none') return v.value;
  bad(v.name, v.value, 'gzip or none', 'gzip (none to a loopback endpoint)');
  return 'auto';
}

/** The service name from the nearest package.json above the entry script, if any. */
function packageName(): string | undefined {
  let dir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof pkg.name === 'string' && pkg.name !== '') return pkg.name;
      return undefined;
    } catch {
      const up = dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }
  return undefined;
}

/** Builds the configuration from the environment, warning once per unusable variable. */
export function configFromEnv(env: Env = process.env): AgentConfig {
  const logLevel = readLogLevel(env);
  const sampler = readSampler(env);
  const endpoints = readEndpoint(env);
  const resourceAttributes = parseKeyValueList('OTEL_RESOURCE_ATTRIBUTES', env.OTEL_RESOURCE_ATTRIBUTES);
  const apiKey = pick(env, ['TRACEKIT_API_KEY'])?.value;
  const headers = {
    ...parseKeyValueList('OTEL_EXPORTER_OTLP_HEADERS', env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseKeyValueList('OTEL_EXPORTER_OTLP_TRACES_HEADERS', env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
  };
  if (apiKey) headers['x-api-key'] = apiKey;
  const serviceName =
    pick(env, ['TRACEKIT_SERVICE_NAME', 'OTEL_SERVICE_NAME'])?.value ??
    resourceAttributes['service.name'] ??
    packageName() ??
    'node-app';
  const sdkDisabled = readBool(env, ['OTEL_SDK_DISABLED'], false);
  return {
    enabled: readBool(env, ['TRACEKIT_ENABLED'], !sdkDisabled),
    serviceName,
    apiKey,
    sampleRate: sampler.rate,
    parentBased: sampler.parentBased,
    codeMonitoring: readBool(env, ['TRACEKIT_CODE_MONITORING'], false),
    instrumentations: readInstrumentations(env),
    logLevel,
    resourceAttributes,
    target: {
      tracesUrl: endpoints.traces,
      metricsUrl: endpoints.metrics,
      logsUrl: endpoints.logs,
      headers,
      protocol: readProtocol(env),
      compression: readCompression(env),
      timeoutMs: readNumber(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], 10000, 1, 600000, true),
    },
    metricsIntervalMs: readNumber(env, ['TRACEKIT_METRICS_INTERVAL', 'OTEL_METRIC_EXPORT_INTERVAL'], 10000, 100, 3600000, true),
    metricsTemporality: readTemporality(env),
    nPlusOneThreshold: readNumber(env, ['TRACEKIT_N_PLUS_ONE_THRESHOLD'], 10, 2, 100000, true),
    maxQueueSpans: readNumber(env, ['TRACEKIT_MAX_QUEUE_SIZE', 'OTEL_BSP_MAX_QUEUE_SIZE'], 8192, 1, 1000000, true),
    maxQueueBytes: readNumber(env, ['TRACEKIT_MAX_QUEUE_BYTES'], 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024, true),
    maxBatchSpans: readNumber(env, ['TRACEKIT_MAX_EXPORT_BATCH_SIZE', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], 2048, 1, 100000, true),
    scheduleDelayMs: readNumber(env, ['TRACEKIT_SCHEDULE_DELAY', 'OTEL_BSP_SCHEDULE_DELAY'], 1000, 1, 600000, true),
    flushTimeoutMs: readNumber(env, ['TRACEKIT_FLUSH_TIMEOUT'], 2000, 1, 60000, true),
    logsInjection: readBool(env, ['TRACEKIT_LOGS_INJECTION'], false),
    maxQueueLogs: readNumber(env, ['TRACEKIT_MAX_LOG_QUEUE_SIZE', 'OTEL_BLRP_MAX_QUEUE_SIZE'], 4096, 1, 1000000, true),
  };
}

function readTemporality(env: Env): 'delta' | 'cumulative' {
  const v = pick(env, ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE']);
  if (!v) return 'delta';
  const s = v.value.toLowerCase();
  if (s === 'delta' || s === 'cumulative') return s;
  bad(v.name, v.value, 'delta or cumulative', 'delta');
  return 'delta';
}

/**
 * Applies `tracekit.init()` options over a configuration. Bad values are warned about by
 * option name, like bad environment variables.
 */
export function applyInitOptions(base: AgentConfig, o: InitOptions): AgentConfig {
  const c: AgentConfig = { ...base, target: { ...base.target, headers: { ...base.target.headers } } };
  if (o.enabled !== undefined) c.enabled = o.enabled !== false;
  if (typeof o.serviceName === 'string' && o.serviceName !== '') c.serviceName = o.serviceName;
  if (o.endpoint !== undefined) {
    if (validUrl(o.endpoint)) {
      c.target.tracesUrl = signalUrl(o.endpoint, 'traces');
      c.target.metricsUrl = signalUrl(o.endpoint, 'metrics');
      c.target.logsUrl = signalUrl(o.endpoint, 'logs');
    } else bad('init({ endpoint })', String(o.endpoint), 'an http(s) URL', c.target.tracesUrl);
  }
  if (o.apiKey !== undefined) {
    c.apiKey = o.apiKey;
    c.target.headers['x-api-key'] = o.apiKey;
  }
  if (o.sampleRate !== undefined) {
    if (typeof o.sampleRate === 'number' && o.sampleRate >= 0 && o.sampleRate <= 1) c.sampleRate = o.sampleRate;
    else bad('init({ sampleRate })', String(o.sampleRate), 'a number between 0 and 1', c.sampleRate);
  }
  if (o.enableCodeMonitoring !== undefined) c.codeMonitoring = o.enableCodeMonitoring === true;
  if (o.logLevel !== undefined) c.logLevel = o.logLevel;
  if (o.instrumentations) c.instrumentations = new Set(o.instrumentations);
  for (const name of o.disabledInstrumentations ?? []) c.instrumentations.delete(name);
  if (typeof o.metricsIntervalMs === 'number' && o.metricsIntervalMs >= 100) c.metricsIntervalMs = o.metricsIntervalMs;
  if (typeof o.nPlusOneThreshold === 'number' && o.nPlusOneThreshold >= 2) c.nPlusOneThreshold = o.nPlusOneThreshold;
  return c;
}
