/**
 * Outgoing http/https requests. The CLIENT span starts in a thin wrapper of `request` and
 * `get`: Node 20 publishes `http.client.request.start` only after the headers are written,
 * too late to add `traceparent`, and a wrapper gives one path on every Node version. The rest
 * comes from Node's channels: `http.client.response.finish` (the response head arrived) and
 * `http.client.request.error`. The span ends on the request's `close`, which Node emits once
 * the response has been consumed or the request failed.
 */
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { subscribe } from 'node:diagnostics_channel';
import { propagation, trace, SpanKind, SpanStatusCode, type Context, type Span as ApiSpan, type TextMapSetter } from '@opentelemetry/api';
import { nowMs } from '../tracer/time';
import type { Kit, Switch } from './kit';
import { recordError } from './record-error';
import { redactUrl } from './redact';
import { currentRequest, type RequestState } from './request-state';
import type { Instrumentation } from './types';
import { wrapMethod } from './wrap';

interface ClientCall {
  span: ApiSpan;
  state: RequestState | undefined;
  startMs: number;
  ended: boolean;
}
type TracedClientRequest = http.ClientRequest;
/** Outgoing request → its call (a WeakMap: see request-state.ts on properties added to objects we do not own). */
const calls = new WeakMap<object, ClientCall>();
type RequestFn = (...args: unknown[]) => http.ClientRequest;

const setter: TextMapSetter<http.ClientRequest> = {
  set(req, key, value) {
    if (!req.headersSent) req.setHeader(key, value);
  },
};

/** Records the end of an outgoing call on the request that made it (count and time). */
export function finishOutgoing(call: { state: RequestState | undefined; startMs: number }, endMs: number): void {
  if (call.state !== undefined) {
    call.state.outgoingCount++;
    call.state.outgoingMs += endMs - call.startMs;
  }
}

function end(this: TracedClientRequest): void {
  const call = calls.get(this);
  if (call === undefined || call.ended) return;
  call.ended = true;
  const endMs = nowMs();
  finishOutgoing(call, endMs);
  call.span.end(endMs);
}

function onRequestCreated(kit: Kit, req: TracedClientRequest, parent: Context): void {
  const state = currentRequest(parent);
  const method = req.method || 'GET';
  const span = kit.tracer.startSpan(method, { kind: SpanKind.CLIENT }, parent);
  if (span.isRecording()) {
    const hostHeader = req.getHeader('host');
    const authority = typeof hostHeader === 'string' ? hostHeader : req.host;
    span.setAttribute('http.request.method', method);
    span.setAttribute('url.full', redactUrl(`${req.protocol || 'http:'}//${authority}${req.path}`));
    span.setAttribute('server.address', req.host);
    const colon = authority.lastIndexOf(':');
    const port = colon > authority.lastIndexOf(']') ? Number(authority.slice(colon + 1)) : req.protocol === 'https:' ? 443 : 80;
    if (Number.isInteger(port)) span.setAttribute('server.port', port);
  }
  propagation.inject(trace.setSpan(parent, span), req, setter);
  if (!span.isRecording() && state === undefined) return;
  calls.set(req, { span, state, startMs: nowMs(), ended: false });
  req.once('close', end);
}

function wrapRequest(kit: Kit, sw: Switch) {
  return (original: RequestFn): RequestFn =>
    function request(this: unknown, ...args: unknown[]): http.ClientRequest {
      if (!sw.on || !kit.active) return original.apply(this, args);
      const parent = kit.contexts.active();
      // Invalid arguments throw from here, unchanged, exactly as without tracekit.
      const req = original.apply(this, args) as TracedClientRequest;
      try {
        onRequestCreated(kit, req, parent);
      } catch (err) {
        sw.fail('request', err);
      }
      return req;
    };
}

function patchModule(mod: typeof http | typeof https, kit: Kit, sw: Switch): void {
  wrapMethod(mod as unknown as { request: RequestFn }, 'request', wrapRequest(kit, sw));
  // Node's own `get` calls the module-internal `request` and then `end()`, which writes the
  // headers at once; so `get` is rebuilt on the wrapped `request`, as Node defines it.
  const wrappedRequest = (mod as unknown as { request: RequestFn }).request;
  wrapMethod(mod as unknown as { get: RequestFn }, 'get', () =>
    function get(this: unknown, ...args: unknown[]): http.ClientRequest {
      const req = wrappedRequest.apply(this, args);
      req.end();
      return req;
    },
  );
}

export const httpClient: Instrumentation = {
  name: 'http',
  supports: [{ library: 'node:http, node:https (clients)', how: '`request`/`get` wrapper and `http.client.*` channels' }],
  enable(kit: Kit): void {
    const sw = kit.switchFor('http-client');
    patchModule(http, kit, sw);
    patchModule(https, kit, sw);
    syncBuiltinESMExports();

    subscribe('http.client.response.finish', (message) => {
      if (!sw.on) return;
      try {
        const { request, response } = message as { request: TracedClientRequest; response: http.IncomingMessage };
        const call = calls.get(request);
        if (call === undefined || !call.span.isRecording()) return;
        const status = response.statusCode ?? 0;
        call.span.setAttribute('http.response.status_code', status);
        if (status >= 400) {
          call.span.setAttribute('error.type', String(status));
          call.span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } catch (err) {
        sw.fail('response', err);
      }
    });

    subscribe('http.client.request.error', (message) => {
      if (!sw.on) return;
      try {
        const { request, error } = message as { request: TracedClientRequest; error: unknown };
        const call = calls.get(request);
        if (call !== undefined) recordError(call.span, error);
      } catch (err) {
        sw.fail('request error', err);
      }
    });
  },
};
