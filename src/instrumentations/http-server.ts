/**
 * http and https servers: one SERVER span per request.
 *
 * Node publishes `http.server.request.start`, but a subscriber cannot make the request
 * handler *run inside* a context (only `enterWith`, which leaks to whatever runs next on the
 * socket). So the start is a thin wrapper around `Server.prototype.emit('request')` that runs
 * the listeners in the request's context. The end is Node's `http.server.response.finish`
 * channel, and for a response that never finishes (the client went away) the socket's
 * `close`: one listener per connection rather than one per response.
 */
import { subscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { propagation, trace, SpanKind, SpanStatusCode, type Span as ApiSpan, type SpanOptions } from '@opentelemetry/api';
import { WRAPPED, ORIGINAL } from '../symbols';
import type { AttributeBlock } from '../otlp/types';
import { applyBlock, attributeBlock } from '../tracer/attribute-block';
import { EMPTY_CONTEXT } from '../tracer/context';
import { Span } from '../tracer/span';
import { nowMs } from '../tracer/time';
import type { Kit, Switch } from './kit';
import { redactQuery } from './redact';
import { attachState, releaseState, REQUEST_STATE_KEY, RequestState, stateOf } from './request-state';
import { concludeRequest, setRequestStatsAttributes } from './request-stats';
import { IdleConnections } from './idle-connections';
import { ServerSpanTails } from './server-span-tail';
import type { Instrumentation } from './types';

const CONNECTION = Symbol('tracekit.socket.connection');
const SERVER_SPAN: SpanOptions = Object.freeze({ kind: SpanKind.SERVER });
/** The server span's attributes that stay the same on a keep-alive connection (see Connection.attributesFor). */
const CONNECTION_KEYS = Object.freeze(['url.scheme', 'server.address', 'server.port', 'client.address', 'user_agent.original', 'network.protocol.version']);
/** Largest connection attribute block a connection keeps between requests. */
const MAX_KEPT_BLOCK_BYTES = 1024;
type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * What a keep-alive connection's requests share: the peer, the scheme, and the last Host
 * header parsed. Worked out once per connection (remoteAddress asks the kernel) and once
 * per distinct Host value, instead of for every request. The span attributes made of them
 * are encoded once too, while the request headers they come from stay the same.
 */
class Connection {
  host: string | undefined = undefined;
  address = '';
  port = 0;
  private block: AttributeBlock | undefined = undefined;
  private blockHost: string | undefined = undefined;
  private blockAgent: string | undefined = undefined;
  private blockVersion: string | undefined = undefined;
  /**
   * The requests started on this connection whose response has not finished: `first`, and
   * `more` only when the client pipelines. One field rather than a list because that is the
   * case of nearly every keep-alive request (a push and a removal per request showed in profiles).
   */
  first: RequestState | undefined = undefined;
  more: RequestState[] | undefined = undefined;
  constructor(
    readonly peer: string | undefined,
    readonly scheme: 'http' | 'https',
  ) {}

  add(state: RequestState): void {
    if (this.first === undefined) this.first = state;
    else (this.more ??= []).push(state);
  }

  remove(state: RequestState): void {
    const more = this.more;
    if (this.first === state) {
      this.first = more !== undefined && more.length > 0 ? more.shift() : undefined;
    } else if (more !== undefined) {
      const i = more.indexOf(state);
      if (i !== -1) more.splice(i, 1);
    }
  }

  /** A copy of the unfinished requests, oldest first. */
  unfinished(): RequestState[] {
    if (this.first === undefined) return [];
    return this.more === undefined ? [this.first] : [this.first, ...this.more];
  }

  /**
   * The connection attributes of a request's server span (CONNECTION_KEYS), encoded once
   * and reused while Host, User-Agent and the HTTP version repeat, which on a keep-alive
   * connection they nearly always do.
   */
  attributesFor(req: http.IncomingMessage): AttributeBlock {
    const headers = req.headers;
    const host = headers.host;
    const agent = headers['user-agent'];
    const version = req.httpVersion;
    const cached = this.block;
    if (cached !== undefined && host === this.blockHost && agent === this.blockAgent && version === this.blockVersion) return cached;
    if (host !== undefined) this.setHost(host);
    this.blockHost = host;
    this.blockAgent = agent;
    this.blockVersion = version;
    const hasHost = host !== undefined;
    const block = attributeBlock(CONNECTION_KEYS, [this.scheme, hasHost ? this.address : undefined, hasHost ? this.port : undefined, this.peer, agent, version]);
    // Kept only when small: thousands of idle connections must not each hold a 16 KB User-Agent.
    this.block = block.bytes.length <= MAX_KEPT_BLOCK_BYTES ? block : undefined;
    return block;
  }

  /** Parses `host:port` / `[v6]:port` (default port by scheme) unless it is the last one seen. */
  setHost(host: string): void {
    if (host === this.host) return;
    this.host = host;
    const close = host.lastIndexOf(']');
    const colon = host.lastIndexOf(':');
    const port = colon > close && colon !== -1 ? Number(host.slice(colon + 1)) : NaN;
    this.address = colon > close && colon !== -1 ? host.slice(0, colon) : host;
    this.port = Number.isInteger(port) ? port : this.scheme === 'https' ? 443 : 80;
  }
}

type TracedSocket = NonNullable<http.IncomingMessage['socket']> & { encrypted?: boolean; [CONNECTION]?: Connection };

function connectionOf(socket: TracedSocket, onSocketClose: (this: TracedSocket) => void): Connection {
  let conn = socket[CONNECTION];
  if (conn === undefined) {
    conn = new Connection(socket.remoteAddress, socket.encrypted ? 'https' : 'http');
    socket[CONNECTION] = conn;
    socket.once('close', onSocketClose);
  }
  return conn;
}

function setRequestAttributes(span: ApiSpan, req: http.IncomingMessage, conn: Connection, url: string): void {
  applyBlock(span, conn.attributesFor(req));
  const q = url.indexOf('?');
  // The method goes on with the route and status when the request ends (see endRequest).
  span.setAttribute('url.path', q === -1 ? url : url.slice(0, q));
  if (q !== -1 && q < url.length - 1) span.setAttribute('url.query', redactQuery(url.slice(q + 1)));
}

/**
 * Ends a request: its metrics, and its span when recorded. Called once per request.
 * `finished` is true when the response went out whole (the finish channel); then its headers
 * were sent too. The caller says so because `headersSent` and `writableFinished` are getters
 * found through the prototypes express swaps in, which V8 looks up slowly (measured: about
 * 1 µs per request for the two).
 */
function endRequest(state: RequestState, res: http.ServerResponse, kit: Kit, tails: ServerSpanTails, finished: boolean): void {
  state.endMs = nowMs();
  state.statusCode = finished || res.headersSent ? res.statusCode : 0;
  kit.inflight--;
  state.connection?.remove(state);
  concludeRequest(state, kit.nPlusOneThreshold);
  const span = state.span;
  if (span.isRecording()) {
    setEndAttributes(span, state, tails);
    if (state.statusCode >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    } else if (!finished) {
      // The client went away before the response was complete.
      span.setAttribute('error.type', 'aborted');
    }
    setRequestStatsAttributes(span, state);
    state.endPending(state.endMs);
    span.end(state.endMs);
  }
  kit.onRequestEnd(state);
  // The request object outlives its response (the connection's parser keeps it until the
  // next request), and it keeps this state: let go of what is no longer needed.
  state.response = undefined;
  state.connection = undefined;
  state.forgetTemplates();
  releaseState(state);
}

/**
 * The server span's method, route and status (and error.type for a 5xx), as a shared block. A
 * method, route or status that code set on the span while the request ran stays: it meant them.
 */
function setEndAttributes(span: ApiSpan, state: RequestState, tails: ServerSpanTails): void {
  applyBlock(span, tails.blockFor(state.route, state.method, state.statusCode));
}

/** True when the request carries headers a propagator reads (W3C trace-context or baggage). */
function hasPropagationHeaders(headers: http.IncomingHttpHeaders): boolean {
  return headers.traceparent !== undefined || headers.baggage !== undefined;
}

function wrapEmit(original: Emit, kit: Kit, sw: Switch, onSocketClose: (this: TracedSocket) => void): Emit {
  const tracer = kit.tracer;
  const wrapped = function emit(this: http.Server, event: string | symbol): boolean {
    if (event !== 'request' || !sw.on || !kit.active) return original.apply(this, arguments as unknown as [string]);
    const req = arguments[1] as http.IncomingMessage;
    const res = arguments[2] as http.ServerResponse;
    let ctx;
    try {
      if (stateOf(req) !== undefined) return original.apply(this, arguments as unknown as [string]);
      const method = req.method ?? 'GET';
      // Most requests carry no trace headers: skip the propagators' work for them.
      const parent = hasPropagationHeaders(req.headers) ? propagation.extract(EMPTY_CONTEXT, req.headers) : EMPTY_CONTEXT;
      const span = tracer.startSpan(method, SERVER_SPAN, parent);
      const recording = span.isRecording();
      // A recording tracekit Span knows its start: the state shares it (one clock read fewer).
      const spanStart = recording ? (span as Partial<Span>).startMs : undefined;
      const state = new RequestState(span, method, typeof spanStart === 'number' ? spanStart : nowMs());
      const socket = req.socket as TracedSocket | null;
      const conn = socket ? connectionOf(socket, onSocketClose) : new Connection(undefined, 'http');
      if (recording) setRequestAttributes(span, req, conn, req.url ?? '/');
      state.response = res;
      state.connection = conn;
      conn.add(state);
      attachState(req, state);
      kit.inflight++;
      ctx = trace.setSpan(parent, span).setValue(REQUEST_STATE_KEY, state);
    } catch (err) {
      sw.fail('request start', err);
      return original.apply(this, arguments as unknown as [string]);
    }
    const self = this;
    const args = arguments as unknown as [string];
    return kit.contexts.run(ctx, () => original.apply(self, args));
  } as Emit;
  (wrapped as unknown as Record<symbol, unknown>)[WRAPPED] = true;
  (wrapped as unknown as Record<symbol, unknown>)[ORIGINAL] = original;
  return wrapped;
}

function patchServer(proto: { emit: Emit }, kit: Kit, sw: Switch, onSocketClose: (this: TracedSocket) => void): void {
  if ((proto.emit as unknown as Record<symbol, unknown>)[WRAPPED]) return;
  // https.Server inherits emit from EventEmitter; giving it an own wrapper is what we want.
  proto.emit = wrapEmit(proto.emit, kit, sw, onSocketClose);
}

export const httpServer: Instrumentation = {
  name: 'http',
  supports: [{ library: 'node:http, node:https (servers)', how: '`Server.prototype.emit` wrapper' }],
  enable(kit: Kit): void {
    const sw = kit.switchFor('http-server');
    const tails = new ServerSpanTails();
    // Its own switch: should the idle-connection release ever fail, server spans go on.
    const idle = new IdleConnections(kit.contexts, kit.switchFor('idle-connections'), (socket) => (socket as TracedSocket)[CONNECTION]?.first === undefined);
    subscribe('http.server.response.finish', (message) => {
      try {
        const { request, response, socket } = message as { request: http.IncomingMessage; response: http.ServerResponse; socket?: TracedSocket };
        const state = stateOf(request);
        if (state !== undefined && state.endMs === 0) endRequest(state, response, kit, tails, true);
        // Published before Node re-arms the connection's keep-alive timer: see idle-connections.ts.
        if (state !== undefined && socket !== undefined) idle.responseFinished(socket);
      } catch (err) {
        sw.fail('response finish', err);
      }
    });
    // A response that never finished: the connection closed under it.
    const onSocketClose = function (this: TracedSocket): void {
      try {
        const conn = this[CONNECTION];
        if (conn === undefined) return;
        for (const state of conn.unfinished()) {
          if (state.endMs === 0 && state.response !== undefined) endRequest(state, state.response, kit, tails, state.response.writableFinished);
        }
      } catch (err) {
        sw.fail('connection close', err);
      }
    };
    patchServer(http.Server.prototype as unknown as { emit: Emit }, kit, sw, onSocketClose);
    patchServer(https.Server.prototype as unknown as { emit: Emit }, kit, sw, onSocketClose);
  },
};
