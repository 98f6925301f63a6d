/**
 * Query-string parsing for `/api/*`. Every view takes `service` (optional: all services)
 * and `window` (1m, 5m, 15m, 1h, 6h, 24h; default 15m); trace search also takes an explicit
 * `from`/`to` in epoch milliseconds. A bad value is a 400 naming the parameter.
 */
import type { AttributeFilter, CodeQuery, LogQuery, QueriesQuery, QueryScope, TraceQuery } from '../store/store';

export const WINDOWS: Record<string, number> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 };
const DEFAULT_WINDOW = '15m';
const MIN_STEP_US = 10e6;
const POINTS_PER_CHART = 60;

export class BadParam extends Error {}

function one(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  return v === null || v === '' ? undefined : v;
}

function number(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = one(params, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new BadParam(`${name} must be a number from ${min} to ${max}`);
  return n;
}

/** The service and time range of a request. */
export function scopeOf(params: URLSearchParams, nowMs: number): QueryScope {
  const window = one(params, 'window') ?? DEFAULT_WINDOW;
  const seconds = WINDOWS[window];
  if (seconds === undefined) throw new BadParam(`window must be one of ${Object.keys(WINDOWS).join(', ')}`);
  let toMs = nowMs;
  let fromMs = nowMs - seconds * 1000;
  const from = number(params, 'from', 0, 8.64e15);
  const to = number(params, 'to', 0, 8.64e15);
  if (from !== undefined || to !== undefined) {
    toMs = to ?? nowMs;
    fromMs = from ?? toMs - seconds * 1000;
    if (fromMs >= toMs) throw new BadParam('from must be before to');
  }
  return { service: one(params, 'service'), fromUs: fromMs * 1000, toUs: toMs * 1000, openEnded: from === undefined && to === undefined };
}

/** The chart step for a scope: 60 points, never finer than the 10 s metric interval. */
export function stepFor(scope: QueryScope): number {
  return Math.max(MIN_STEP_US, Math.ceil((scope.toUs - scope.fromUs) / POINTS_PER_CHART));
}

/** A trace id path or query value: 32 hex digits. */
export function traceIdOf(v: string): string {
  const id = v.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new BadParam('trace id must be 32 hex digits');
  return id;
}

/** Most attribute filters in one trace search. */
const MAX_ATTRIBUTE_FILTERS = 8;

/**
 * One `attr` parameter: `key=value` (equal), `key~text` (contains) or `key` (present). Keys
 * are attribute names: letters, digits and `._-:/`.
 */
export function attributeFilterOf(text: string): AttributeFilter {
  const m = /^([A-Za-z0-9_.\-:/]{1,128})(?:([=~])([\s\S]{0,256}))?$/.exec(text);
  if (m === null) throw new BadParam(`attr must be key=value, key~text or key (an attribute name of letters, digits and ._-:/), not ${JSON.stringify(text.slice(0, 80))}`);
  if (m[2] === undefined) return { key: m[1], op: 'exists', value: '' };
  return { key: m[1], op: m[2] === '=' ? 'eq' : 'contains', value: m[3] };
}

/**
 * Trace search filters: `route`, `status`, `minDurationMs`, `maxDurationMs` and `traceId` on
 * the request; `attr` (repeatable) and `name` (span name contains) on any span of the trace;
 * `sort` (`recent` or `slowest`); `limit`.
 */
export function traceQueryOf(params: URLSearchParams, nowMs: number): TraceQuery {
  const status = one(params, 'status');
  if (status !== undefined && !/^(error|ok|[1-5]xx|[1-5]\d\d)$/i.test(status)) throw new BadParam('status must be error, ok, an HTTP status like 404 or a class like 5xx');
  const traceId = one(params, 'traceId');
  const attrs = params.getAll('attr').filter((a) => a !== '');
  if (attrs.length > MAX_ATTRIBUTE_FILTERS) throw new BadParam(`at most ${MAX_ATTRIBUTE_FILTERS} attr filters`);
  const sort = one(params, 'sort') ?? 'recent';
  if (sort !== 'recent' && sort !== 'slowest') throw new BadParam('sort must be recent or slowest');
  const name = one(params, 'name');
  if (name !== undefined && name.length > 256) throw new BadParam('name must be at most 256 characters');
  return {
    ...scopeOf(params, nowMs),
    route: one(params, 'route'),
    status: status?.toLowerCase(),
    minDurationMs: number(params, 'minDurationMs', 0, 1e9),
    maxDurationMs: number(params, 'maxDurationMs', 0, 1e9),
    traceId: traceId === undefined ? undefined : traceIdOf(traceId),
    attributes: attrs.map(attributeFilterOf),
    spanName: name,
    order: sort,
    limit: number(params, 'limit', 1, 1000) ?? 100,
  };
}

/** Log filters: `severity` (lowest: a number 1-24 or trace, debug, info, warn, error, fatal), `q` (text), `traceId`, `spanId`, `limit`. */
export function logQueryOf(params: URLSearchParams, nowMs: number): LogQuery {
  const names: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
  const severity = one(params, 'severity');
  let minSeverity: number | undefined;
  if (severity !== undefined) {
    minSeverity = names[severity.toLowerCase()] ?? Number(severity);
    if (!Number.isInteger(minSeverity) || minSeverity < 0 || minSeverity > 24) throw new BadParam('severity must be 0-24 or one of trace, debug, info, warn, error, fatal');
  }
  const spanId = one(params, 'spanId')?.toLowerCase();
  if (spanId !== undefined && !/^[0-9a-f]{16}$/.test(spanId)) throw new BadParam('span id must be 16 hex digits');
  const traceId = one(params, 'traceId');
  const text = one(params, 'q');
  if (text !== undefined && text.length > 256) throw new BadParam('q must be at most 256 characters');
  return {
    ...scopeOf(params, nowMs),
    minSeverity,
    text,
    traceId: traceId === undefined ? undefined : traceIdOf(traceId),
    spanId,
    limit: number(params, 'limit', 1, 1000) ?? 200,
  };
}

/** `folder`: a relative folder path (`src/routes`) the Code views narrow to; absent for all. */
export function folderOf(params: URLSearchParams): string | undefined {
  const folder = one(params, 'folder');
  if (folder !== undefined && folder.length > 1024) throw new BadParam('folder must be at most 1024 characters');
  return folder;
}

/** Code-inventory filters: `file` (a path prefix), `library` (`1` lists library frames too), `sort`, `limit`. */
export function codeQueryOf(params: URLSearchParams, nowMs: number): CodeQuery {
  const sort = one(params, 'sort') ?? 'occurrences';
  if (sort !== 'occurrences' && sort !== 'lastSeen') throw new BadParam('sort must be occurrences or lastSeen');
  const library = one(params, 'library') ?? '0';
  if (library !== '0' && library !== '1') throw new BadParam('library must be 0 or 1');
  return {
    ...scopeOf(params, nowMs),
    filePrefix: one(params, 'file'),
    library: library === '1',
    sort,
    limit: number(params, 'limit', 1, 1000) ?? 200,
  };
}

/** Queries-view filters: `route` ("METHOD route", as the routes table names it) and `limit`. */
export function queriesQueryOf(params: URLSearchParams, nowMs: number): QueriesQuery {
  const route = one(params, 'route');
  if (route !== undefined && route.length > 1024) throw new BadParam('route must be at most 1024 characters');
  return { ...scopeOf(params, nowMs), requestRoute: route, limit: number(params, 'limit', 1, 1000) ?? 200 };
}
