/**
 * Turns decoded spans into stored rows: the columns the dashboard groups on (route,
 * method, status, peer host, tracekit's per-request stats, the request route of an outgoing
 * call), JSON text for the rest, and one error row per `exception` event.
 */
import type { AttributeMap, AttributeValue, SpanRecord } from '../../otlp/types';
import type { DecodedTraces, ResourceGroup } from '../otlp/model';
import type { ErrorRow, FrameRow, SpanRow } from '../store/rows';
import { RESOURCE_ATTRIBUTES } from '../../shared/contract';
import { parseStack } from '../../shared/stack-frames';
import { REQUEST_ATTRIBUTES } from '../../shared/contract';
import { fingerprint } from './fingerprint';

const KIND_SERVER = 2;
const KIND_CLIENT = 3;
const KIND_CONSUMER = 5;

function str(v: AttributeValue): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

function num(v: AttributeValue): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** host[:port] of an outgoing HTTP call: server.address, else the host of url.full. */
export function peerOf(a: AttributeMap): string | null {
  const host = str(a['server.address']) ?? str(a['net.peer.name']);
  const port = num(a['server.port']) ?? num(a['net.peer.port']);
  if (host !== null) return port !== null && port !== 80 && port !== 443 ? `${host}:${port}` : host;
  const url = str(a['url.full']) ?? str(a['http.url']);
  if (url === null) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

function isHttp(a: AttributeMap): boolean {
  return a['http.request.method'] !== undefined || a['http.method'] !== undefined || a['url.full'] !== undefined;
}

/** An integer that fits a 32-bit column, else null (the value stays in the attributes' JSON). */
function int32(v: AttributeValue): number | null {
  const n = num(v);
  return n !== null && n >= -2147483648 && n <= 2147483647 ? Math.trunc(n) : null;
}

/** A non-negative safe integer, else null. */
function wholeNumber(v: AttributeValue): number | null {
  const n = num(v);
  return n !== null && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function toJson(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

/** One row for a span. */
export function spanRow(g: ResourceGroup<SpanRecord>, s: SpanRecord): SpanRow {
  const a = s.attributes;
  const isEntry = s.kind === KIND_SERVER || s.kind === KIND_CONSUMER || s.parentSpanId === undefined;
  const route = str(a['http.route']);
  const http = isHttp(a);
  return {
    service: g.service,
    instance: g.instance,
    traceId: s.traceId,
    spanId: s.spanId,
    parentId: s.parentSpanId ?? null,
    name: s.name,
    kind: s.kind,
    startUs: Math.round(s.startMs * 1000),
    durationUs: Math.max(0, Math.round((s.endMs - s.startMs) * 1000)),
    status: s.statusCode,
    statusMessage: s.statusMessage ?? null,
    route: route ?? (s.kind === KIND_SERVER ? s.name : null),
    method: str(a['http.request.method']) ?? str(a['http.method']),
    httpStatus: num(a['http.response.status_code']) ?? num(a['http.status_code']),
    peer: s.kind === KIND_CLIENT && http ? peerOf(a) : null,
    dbSystem: str(a['db.system.name']) ?? str(a['db.system']),
    dbCount: int32(a[REQUEST_ATTRIBUTES.dbCount]),
    dbMs: num(a[REQUEST_ATTRIBUTES.dbDurationMs]),
    outCount: int32(a[REQUEST_ATTRIBUTES.outgoingCount]),
    nPlusOne: str(a[REQUEST_ATTRIBUTES.nPlusOneTemplate]),
    isEntry,
    requestRoute: null,
    scope: s.scopeName,
    attributes: JSON.stringify(a),
    events: toJson(s.events),
    links: toJson(s.links),
    dbStatement: str(a['db.query.text']) ?? str(a['db.statement']),
    dbRows: wholeNumber(a['db.response.returned_rows']),
  };
}

/** The route of the nearest span at or above `span` that names one, within this batch. */
function routeAbove(span: SpanRecord, byId: Map<string, SpanRecord>): string | null {
  let cur: SpanRecord | undefined = span;
  for (let hops = 0; cur !== undefined && hops < 64; hops++) {
    const r = str(cur.attributes['http.route']);
    if (r !== null) return r;
    if (cur.kind === KIND_SERVER) return cur.name;
    cur = cur.parentSpanId === undefined ? undefined : byId.get(cur.parentSpanId);
  }
  return null;
}

/** "METHOD route" of the entry span above `span`, when the entry span is in this batch. */
function requestRouteAbove(span: SpanRecord, byId: Map<string, SpanRecord>): string | null {
  let cur: SpanRecord | undefined = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
  for (let hops = 0; cur !== undefined && hops < 64; hops++) {
    if (cur.kind === KIND_SERVER || cur.kind === KIND_CONSUMER || cur.parentSpanId === undefined) {
      const route = str(cur.attributes['http.route']) ?? cur.name;
      const method = str(cur.attributes['http.request.method']) ?? str(cur.attributes['http.method']);
      return method === null || route.startsWith(`${method} `) ? route : `${method} ${route}`;
    }
    cur = cur.parentSpanId === undefined ? undefined : byId.get(cur.parentSpanId);
  }
  return null;
}

function indexById(spans: SpanRecord[]): Map<string, SpanRecord> {
  const byId = new Map<string, SpanRecord>();
  for (const x of spans) byId.set(x.spanId, x);
  return byId;
}

/** Most frames kept from one exception's stack (V8 records 10 by default). */
const MAX_FRAMES = 50;

/** One row per distinct (file, function) of a stack, top frame's line first. */
function frameRows(error: ErrorRow, stack: string, root: string | undefined): FrameRow[] {
  const rows: FrameRow[] = [];
  const seen = new Set<string>();
  for (const f of parseStack(stack, root)) {
    const key = `${f.file}\0${f.function}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ service: error.service, fingerprint: error.fingerprint, timeUs: error.timeUs, file: f.file, function: f.function, line: f.line, library: f.library });
    if (rows.length === MAX_FRAMES) break;
  }
  return rows;
}

/**
 * Rows for every span, an error row for every exception event, and the exception's stack
 * frames (the code inventory), of a decoded request.
 */
export function traceRows(decoded: DecodedTraces): { spans: SpanRow[]; errors: ErrorRow[]; frames: FrameRow[] } {
  const spans: SpanRow[] = [];
  const errors: ErrorRow[] = [];
  const frames: FrameRow[] = [];
  for (const g of decoded.groups) {
    let byId: Map<string, SpanRecord> | undefined;
    // The queries and calls of one request share a parent: walk up once per parent.
    const routeOfParent = new Map<string, string | null>();
    const root = str(g.resource[RESOURCE_ATTRIBUTES.appRoot]) ?? undefined;
    for (const s of g.items) {
      const row = spanRow(g, s);
      spans.push(row);
      if ((row.peer !== null || row.dbSystem !== null) && s.parentSpanId !== undefined) {
        let route = routeOfParent.get(s.parentSpanId);
        if (route === undefined) {
          route = requestRouteAbove(s, (byId ??= indexById(g.items)));
          routeOfParent.set(s.parentSpanId, route);
        }
        row.requestRoute = route;
      }
      if (s.events === undefined) continue;
      for (const e of s.events) {
        if (e.name !== 'exception' || e.attributes === undefined) continue;
        byId ??= indexById(g.items);
        const type = str(e.attributes['exception.type']) ?? 'Error';
        const message = str(e.attributes['exception.message']) ?? '';
        const stack = str(e.attributes['exception.stacktrace']) ?? '';
        const error: ErrorRow = {
          fingerprint: fingerprint(g.service, type, message, stack),
          service: g.service,
          timeUs: Math.round((e.timeMs || s.endMs) * 1000),
          traceId: s.traceId,
          spanId: s.spanId,
          spanName: s.name,
          route: routeAbove(s, byId),
          type,
          message,
          stack,
        };
        errors.push(error);
        for (const f of frameRows(error, stack, root)) frames.push(f);
      }
    }
  }
  return { spans, errors, frames };
}
