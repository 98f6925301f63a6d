/**
 * fetch and undici, with no patching: both publish `undici:request:*` on diagnostics_channel
 * (Node's global fetch uses its bundled undici; an installed undici publishes the same names).
 * `create` starts a CLIENT span and adds `traceparent`; `headers` records the status;
 * `trailers` (body fully read) or `error` ends it. A response body the app never reads
 * leaves its span unfinished, and it is dropped with the request object, never exported.
 */
import { subscribe } from 'node:diagnostics_channel';
import { propagation, trace, SpanKind, SpanStatusCode, type Span as ApiSpan } from '@opentelemetry/api';
import type { AttributeBlock } from '../otlp/types';
import { applyBlock, attributeBlock } from '../tracer/attribute-block';
import { nowMs } from '../tracer/time';
import { finishOutgoing } from './http-client';
import type { Kit } from './kit';
import { recordError } from './record-error';
import { redactUrl } from './redact';
import { currentRequest, type RequestState } from './request-state';
import type { Instrumentation } from './types';

interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  addHeader?(key: string, value: string): unknown;
  headers?: unknown;
}

/** Undici request → its call (a WeakMap: see request-state.ts on properties added to objects we do not own). */
const calls = new WeakMap<object, { span: ApiSpan; state: RequestState | undefined; startMs: number; ended: boolean }>();

/** What the CLIENT spans of calls to one origin share: its text and, per method, their attribute block. */
interface OriginInfo {
  text: string;
  hostname: string;
  port: number;
  blocks: Map<string, AttributeBlock>;
}

/** Origins seen as strings (undici's usual form), each parsed once rather than on every call. */
const origins = new Map<string, OriginInfo>();
/** Most origins remembered; an app calling more still works, parsing the rest per call. */
const MAX_ORIGINS = 256;
/** Most methods whose attribute block one origin keeps. */
const MAX_METHODS = 16;
const CLIENT_KEYS = Object.freeze(['http.request.method', 'server.address', 'server.port']);

function originInfo(origin: string | URL): OriginInfo {
  if (typeof origin === 'string') {
    const known = origins.get(origin);
    if (known !== undefined) return known;
  }
  const url = typeof origin === 'string' ? new URL(origin) : origin;
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const info: OriginInfo = { text: url.origin, hostname: url.hostname, port, blocks: new Map() };
  if (typeof origin === 'string' && origins.size < MAX_ORIGINS) origins.set(origin, info);
  return info;
}

/** The method, address and port of a call to `info`'s origin, encoded once per method. */
function clientBlock(info: OriginInfo, method: string): AttributeBlock {
  let block = info.blocks.get(method);
  if (block === undefined) {
    block = attributeBlock(CLIENT_KEYS, [method, info.hostname, info.port]);
    if (info.blocks.size < MAX_METHODS) info.blocks.set(method, block);
  }
  return block;
}

function addHeader(req: UndiciRequest, key: string, value: string): void {
  if (typeof req.addHeader === 'function') req.addHeader(key, value);
  else if (Array.isArray(req.headers)) req.headers.push(key, value);
  else if (typeof req.headers === 'string') req.headers += `${key}: ${value}\r\n`;
}

function finish(req: UndiciRequest): void {
  const call = calls.get(req);
  if (call === undefined || call.ended) return;
  call.ended = true;
  const endMs = nowMs();
  finishOutgoing(call, endMs);
  call.span.end(endMs);
}

export const undici: Instrumentation = {
  name: 'fetch',
  supports: [{ library: 'fetch, undici (Node\'s bundled undici, undici 5-7)', how: '`undici:request:*` channels, no patch' }],
  enable(kit: Kit): void {
    const sw = kit.switchFor('fetch');
    const tracer = kit.tracer;

    subscribe('undici:request:create', (message) => {
      if (!sw.on || !kit.active) return;
      try {
        const req = (message as { request: UndiciRequest }).request;
        const parent = kit.contexts.active();
        const state = currentRequest(parent);
        const method = req.method || 'GET';
        const span = tracer.startSpan(method, { kind: SpanKind.CLIENT }, parent);
        if (span.isRecording()) {
          const origin = originInfo(req.origin);
          applyBlock(span, clientBlock(origin, method));
          span.setAttribute('url.full', redactUrl(origin.text + req.path));
        }
        const carrier: Record<string, string> = {};
        propagation.inject(trace.setSpan(parent, span), carrier);
        for (const key in carrier) addHeader(req, key, carrier[key]);
        if (!span.isRecording() && state === undefined) return;
        calls.set(req, { span, state, startMs: nowMs(), ended: false });
      } catch (err) {
        sw.fail('request create', err);
      }
    });

    subscribe('undici:request:headers', (message) => {
      if (!sw.on) return;
      try {
        const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
        const call = calls.get(request);
        if (call === undefined || !call.span.isRecording()) return;
        call.span.setAttribute('http.response.status_code', response.statusCode);
        if (response.statusCode >= 400) {
          call.span.setAttribute('error.type', String(response.statusCode));
          call.span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } catch (err) {
        sw.fail('response headers', err);
      }
    });

    subscribe('undici:request:trailers', (message) => {
      if (!sw.on) return;
      try {
        finish((message as { request: UndiciRequest }).request);
      } catch (err) {
        sw.fail('response end', err);
      }
    });

    subscribe('undici:request:error', (message) => {
      if (!sw.on) return;
      try {
        const { request, error } = message as { request: UndiciRequest; error: unknown };
        const call = calls.get(request);
        if (call === undefined) return;
        if (call.span.isRecording()) {
          recordError(call.span, error);
        }
        finish(request);
      } catch (err) {
        sw.fail('request error', err);
      }
    });
  },
};
