/**
 * `tracekit start`: runs the local collector in the foreground until Ctrl-C or SIGTERM.
 * Flags win over `TRACEKIT_COLLECTOR_*` variables, which win over the defaults. Any problem a
 * user can fix (a bad value, a port in use, a file that cannot be opened or is already open)
 * is one line on stderr and exit code 2.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CollectorStartError, startCollector, type CollectorOptions } from '../collector/collector';
import { AI_PROVIDER_ORIGINS } from '../collector/server/dashboard';
import { StoreOpenError } from '../collector/store/duckdb/connection';
import { parseDuration, parseSize } from './units';

export const START_HELP = `Usage: tracekit start [options]

Runs the local collector: OTLP/HTTP ingest, the store, the query API and the dashboard.

Options (each also settable by the environment variable shown):
  --host HOST          address to listen on                 TRACEKIT_COLLECTOR_HOST    127.0.0.1
                       (anything but loopback requires an API key)
  --port PORT          port to listen on                    TRACEKIT_COLLECTOR_PORT    9876
  --db PATH            DuckDB file holding all data         TRACEKIT_COLLECTOR_DB      ~/.tracekit/tracekit.duckdb
  --retention DURATION keep data this long (90s, 30m, 24h, 7d)
                                                            TRACEKIT_COLLECTOR_RETENTION  24h
  --api-key KEY        required on every ingest and API request
                                                            TRACEKIT_COLLECTOR_API_KEY (else TRACEKIT_API_KEY)
  --memory-limit SIZE  DuckDB memory limit (e.g. 512MB, 2GB) TRACEKIT_COLLECTOR_MEMORY_LIMIT  1GB
  --max-body SIZE      largest request body after gunzip    TRACEKIT_COLLECTOR_MAX_BODY  16MB
  --max-queue ROWS     rows waiting to be written before ingest answers 503 (retry later)
                                                            TRACEKIT_COLLECTOR_MAX_QUEUE  200000
  --log-search-budget MS
                       a log text or trace search reads no new slice of the window after
                       this long, and answers with how far back it read
                                                            TRACEKIT_COLLECTOR_LOG_SEARCH_BUDGET  40
  --ai-origin ORIGINS  extra origins the dashboard's AI assist may call, comma-separated
                       (a self-hosted OpenAI-compatible gateway, for example; Anthropic's
                       and OpenAI's APIs are always allowed)
                                                            TRACEKIT_COLLECTOR_AI_ORIGIN
  -h, --help           this text
`;

/** A bad option value: printed as one line, exit code 2. */
export class UsageError extends Error {}

interface Option {
  flag: string;
  env: string[];
  fallback: string;
}

const OPTIONS: Record<string, Option> = {
  host: { flag: '--host', env: ['TRACEKIT_COLLECTOR_HOST'], fallback: '127.0.0.1' },
  port: { flag: '--port', env: ['TRACEKIT_COLLECTOR_PORT'], fallback: '9876' },
  db: { flag: '--db', env: ['TRACEKIT_COLLECTOR_DB'], fallback: join(homedir(), '.tracekit', 'tracekit.duckdb') },
  retention: { flag: '--retention', env: ['TRACEKIT_COLLECTOR_RETENTION'], fallback: '24h' },
  apiKey: { flag: '--api-key', env: ['TRACEKIT_COLLECTOR_API_KEY', 'TRACEKIT_API_KEY'], fallback: '' },
  memoryLimit: { flag: '--memory-limit', env: ['TRACEKIT_COLLECTOR_MEMORY_LIMIT'], fallback: '1GB' },
  maxBody: { flag: '--max-body', env: ['TRACEKIT_COLLECTOR_MAX_BODY'], fallback: '16MB' },
  maxQueue: { flag: '--max-queue', env: ['TRACEKIT_COLLECTOR_MAX_QUEUE'], fallback: '200000' },
  aiOrigin: { flag: '--ai-origin', env: ['TRACEKIT_COLLECTOR_AI_ORIGIN'], fallback: '' },
  logSearchBudget: { flag: '--log-search-budget', env: ['TRACEKIT_COLLECTOR_LOG_SEARCH_BUDGET'], fallback: '40' },
};

/** `https://host[:port]` or `http://host[:port]` values, as a CSP source list takes them. */
function parseOrigins(value: string, from: string): string[] {
  const origins: string[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    let url: URL | undefined;
    try {
      url = new URL(part);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== part.replace(/\/$/, '')) {
      throw new UsageError(`${from}: ${JSON.stringify(part)} is not an origin (use https://host or http://host:port)`);
    }
    origins.push(url.origin);
  }
  return origins;
}

/** Reads flags and environment into collector options; throws UsageError. */
export function parseStartOptions(args: string[], env: NodeJS.ProcessEnv): CollectorOptions {
  const given: Record<string, { value: string; from: string }> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const entry = Object.entries(OPTIONS).find(([, o]) => o.flag === flag);
    if (entry === undefined) throw new UsageError(`unknown option ${JSON.stringify(arg)} (see tracekit start --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    given[entry[0]] = { value, from: flag };
  }
  const get = (name: string): { value: string; from: string } => {
    if (given[name] !== undefined) return given[name];
    const o = OPTIONS[name];
    for (const e of o.env) {
      const v = env[e];
      if (v !== undefined && v !== '') return { value: v, from: e };
    }
    return { value: o.fallback, from: 'default' };
  };
  const port = get('port');
  const portNumber = Number(port.value);
  if (!/^\d+$/.test(port.value) || portNumber > 65535) throw new UsageError(`${port.from}: ${JSON.stringify(port.value)} is not a port number (0-65535)`);
  const retention = get('retention');
  const retentionMs = parseDuration(retention.value);
  if (retentionMs === undefined) throw new UsageError(`${retention.from}: ${JSON.stringify(retention.value)} is not a duration (use 90s, 30m, 24h or 7d)`);
  const memory = get('memoryLimit');
  if (parseSize(memory.value) === undefined) throw new UsageError(`${memory.from}: ${JSON.stringify(memory.value)} is not a size (use 512MB or 2GB)`);
  const maxBody = get('maxBody');
  const maxBodyBytes = parseSize(maxBody.value);
  if (maxBodyBytes === undefined) throw new UsageError(`${maxBody.from}: ${JSON.stringify(maxBody.value)} is not a size (use 16MB)`);
  const maxQueue = get('maxQueue');
  if (!/^\d+$/.test(maxQueue.value) || Number(maxQueue.value) < 1) throw new UsageError(`${maxQueue.from}: ${JSON.stringify(maxQueue.value)} is not a positive number of rows`);
  const budget = get('logSearchBudget');
  if (!/^\d+$/.test(budget.value) || Number(budget.value) > 600000) throw new UsageError(`${budget.from}: ${JSON.stringify(budget.value)} is not a number of milliseconds (0-600000)`);
  const host = get('host').value;
  const apiKey = get('apiKey').value;
  const aiOrigin = get('aiOrigin');
  return {
    host,
    port: portNumber,
    dbPath: resolve(get('db').value.replace(/^~(?=$|\/)/, homedir())),
    retentionMs,
    apiKey: apiKey === '' ? undefined : apiKey,
    memoryLimit: memory.value.replace(/\s+/g, ''),
    maxBodyBytes,
    maxPendingRows: Number(maxQueue.value),
    aiOrigins: [...AI_PROVIDER_ORIGINS, ...parseOrigins(aiOrigin.value, aiOrigin.from)],
    logSearchBudgetMs: Number(budget.value),
  };
}

/** Fails early, with the path in the message, when the store's directory is not writable. */
function checkWritable(path: string): void {
  const dir = dirname(path);
  try {
    // One level at a time: a recursive mkdir can spin on special filesystems such as /proc.
    const missing: string[] = [];
    for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
    for (const d of missing) mkdirSync(d);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`cannot write the store at ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} on ${dir}`);
  }
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Runs `tracekit start`; resolves to the exit code once the collector has stopped. */
export async function runStart(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(START_HELP);
    return 0;
  }
  let options: CollectorOptions;
  try {
    options = parseStartOptions(args, process.env);
    checkWritable(options.dbPath);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tracekit start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let running;
  try {
    running = await startCollector(options);
  } catch (err) {
    if (err instanceof CollectorStartError || err instanceof StoreOpenError) {
      process.stderr.write(`tracekit start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  process.stdout.write(
    `tracekit collector listening on ${running.url}\n` +
      `  OTLP/HTTP ingest: ${running.url}/v1/traces, /v1/metrics, /v1/logs\n` +
      `  dashboard:        ${running.url}/\n` +
      `  store:            ${options.dbPath} (retention ${formatDuration(options.retentionMs)})${options.apiKey ? '\n  API key required on every request' : ''}\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  process.stdout.write('tracekit collector stopped\n');
  return 0;
}
