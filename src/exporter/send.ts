/**
 * One OTLP/HTTP export with retries, run inside the exporter worker. Retries happen only on
 * 429, 502, 503, 504 and network errors, with exponential backoff and jitter, honouring
 * Retry-After, all within the export timeout; any other status fails at once (a 400 will not
 * get better by repeating it). While a final flush runs, network errors are not retried
 * (see setFinalFlush). Connections are kept alive, at most four per scheme.
 *
 * node:http, not undici: loading undici in the worker added about 21 MB to the app's RSS (a
 * worker with undici loaded: +40 MB, with node:http: +19.6 MB, measured on Node 24), and an
 * OTLP POST needs nothing it adds (docs/agent.md, "The exporter worker").
 */
import http from 'node:http';
import type https from 'node:https';
import { gzipSync } from 'node:zlib';
import { shouldCompress, type ExportTarget } from './target';
import type { ExportResult } from './tasks';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
/** Most bytes of an answer read: a partial-success body is a few bytes; past this the connection is dropped (see post). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** `node:https` and its keep-alive agent, loaded by the first export to an https endpoint. */
interface Secure {
  module: typeof https;
  agent: https.Agent;
}
let secure: Secure | undefined;

/**
 * Loaded on first use rather than with this module: `node:https` brings in TLS, which added up
 * to 4 MB to the worker thread on Node 24, and the default receiver (the local collector) is
 * plain http (docs/agent.md, "The exporter worker").
 */
function secureTransport(): Secure {
  if (secure === undefined) {
    const lib = require('node:https') as typeof https;
    secure = { module: lib, agent: new lib.Agent({ keepAlive: true, maxSockets: 4 }) };
  }
  return secure;
}
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 6;

/**
 * True while a final flush runs. A process about to exit gains nothing from retrying a
 * network error (a collector that refused the connection is not back within the flush
 * deadline), and such retries held every exit for the whole deadline when the collector was
 * down. HTTP 429/502/503/504 are still retried within the deadline. It is only *while*: the
 * process may go on after a final flush (an app's own uncaughtException handler, new work
 * scheduled in beforeExit), and its later exports retry as usual.
 */
let inFinalFlush = false;
/** Wakes exports waiting to retry a network error, so they give up at once. */
const networkRetryWaits = new Set<() => void>();

/** Marks the start (true) or end (false) of a final flush; at its start, exports waiting to retry a network error give up. */
export function setFinalFlush(on: boolean): void {
  inFinalFlush = on;
  if (on) for (const wake of [...networkRetryWaits]) wake();
}

function sleep(ms: number, afterNetworkError: boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      networkRetryWaits.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (afterNetworkError) networkRetryWaits.add(done);
  });
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Reads `rejected_spans` / `rejected_data_points` from a partial-success response body. */
export function rejectedCount(body: Buffer, json: boolean): number {
  if (body.length === 0) return 0;
  try {
    if (json) {
      const parsed = JSON.parse(body.toString('utf8')) as { partialSuccess?: Record<string, unknown> };
      const ps = parsed.partialSuccess;
      return Number(ps?.rejectedSpans ?? ps?.rejectedDataPoints ?? ps?.rejectedLogRecords ?? 0) || 0;
    }
    // ExportXServiceResponse { partial_success = 1 { rejected = 1 (int64) } }
    if (body[0] !== 0x0a) return 0;
    let i = 1;
    while (i < body.length && body[i] & 0x80) i++;
    i++;
    if (body[i] !== 0x08) return 0;
    i++;
    let value = 0;
    let mul = 1;
    while (i < body.length) {
      const b = body[i++];
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
    }
    return value;
  } catch {
    return 0;
  }
}

/** What the receiver answered. */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An error of the connection itself, and whether it came on a kept-alive connection being reused. */
type PostError = Error & { code?: string; reusedSocket?: boolean };

/** One POST; rejects on a network error, or when the whole answer has not come within `timeoutMs`. */
function post(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const tls = url.protocol === 'https:' ? secureTransport() : undefined;
    let done = false;
    const finish = (err: PostError | undefined, answer?: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err !== undefined) reject(err);
      else resolve(answer as Answer);
    };
    const options = { method: 'POST', agent: tls?.agent ?? httpAgent, headers: { ...headers, 'content-length': String(body.length) } };
    const req = (tls?.module ?? http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        kept += chunk.length;
        if (kept < MAX_ANSWER_BYTES) return;
        // Enough of the answer: its status is in, and a partial-success body is a few bytes.
        // The connection is dropped rather than drained, so a receiver that streams without
        // end neither grows the worker's memory nor holds the export until its timeout.
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES) });
        res.destroy();
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err: PostError) => finish(err));
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('error', (err: PostError) => {
      err.reusedSocket = req.reusedSocket;
      finish(err);
    });
    req.end(body);
  });
}

/** Posts one encoded payload, retrying as described above. Never throws. */
export async function send(target: ExportTarget, url: string, payload: Buffer | string, json: boolean): Promise<ExportResult> {
  const headers: Record<string, string> = {
    ...target.headers,
    'content-type': json ? 'application/json' : 'application/x-protobuf',
    'user-agent': 'tracekit-node',
  };
  let body: Buffer = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const parsed = new URL(url);
  if (shouldCompress(target.compression, parsed)) {
    // Level 1: OTLP batches are repetitive enough that it compresses nearly as well as the
    // default level, at a quarter of the CPU (measured: 0.4 vs 1.5 µs per span).
    body = gzipSync(body, { level: 1 });
    headers['content-encoding'] = 'gzip';
  }
  const deadline = Date.now() + target.timeoutMs;
  let attempts = 0;
  let status = 0;
  let error: string | undefined;
  while (attempts < MAX_ATTEMPTS) {
    attempts++;
    let wait: number | undefined;
    try {
      const res = await post(parsed, headers, body, Math.max(1, deadline - Date.now()));
      status = res.status;
      if (status >= 200 && status < 300) {
        return { ok: true, status, attempts, rejected: rejectedCount(res.body, json) };
      }
      error = `HTTP ${status}`;
      if (!RETRYABLE.has(status)) return { ok: false, status, attempts, rejected: 0, error };
      wait = retryAfterMs(res.headers['retry-after']);
    } catch (err) {
      status = 0;
      error = err instanceof Error ? `${(err as PostError).code ?? err.name}: ${err.message}` : String(err);
      // A kept-alive connection the receiver had already closed: the request never reached it,
      // so sending again at once on a new connection is no retry (not even in a final flush).
      if ((err as PostError).reusedSocket === true && ((err as PostError).code === 'ECONNRESET' || (err as PostError).code === 'EPIPE') && attempts < MAX_ATTEMPTS) {
        continue;
      }
    }
    const networkError = status === 0;
    if (networkError && inFinalFlush) break;
    const backoff = wait ?? Math.min(5000, 100 * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
    if (Date.now() + backoff >= deadline) break;
    await sleep(backoff, networkError);
    if (networkError && inFinalFlush) break;
  }
  return { ok: false, status, attempts, rejected: 0, error };
}
