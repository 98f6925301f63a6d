/**
 * tracekit's public API. Nothing here is needed for automatic tracing (the preload does it);
 * it is for users who prefer configuring in code, and for manual spans in the style of the
 * seed SDK: `getClient().startSpan(...)`, `endSpan`, `recordException`, `currentHeaders`.
 * Every function is safe to call when tracekit is disabled: it does nothing and returns a
 * harmless value.
 */
import { context, propagation, trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import type { InitOptions } from './agent/config';
import { runningAgent, startAgent } from './agent/start';
import type { ExportStats } from './exporter/exporter';
import { recordError } from './instrumentations/record-error';
import { VERSION } from './shared/version';

export type { InitOptions } from './agent/config';
export type { ExportStats } from './exporter/exporter';
export { VERSION };

export type StatusInput = 'OK' | 'ERROR' | 'UNSET' | SpanStatusCode;

/** The seed SDK's client object: manual spans and propagation helpers. */
export interface Client {
  /** Starts a span as a child of the active one. It is not made active; pass it to `endSpan`. */
  startSpan(name: string, attributes?: Attributes): Span;
  /** Adds attributes, sets the status (default OK unless already ERROR) and ends the span. */
  endSpan(span: Span, attributes?: Attributes, status?: StatusInput): void;
  /** Records an exception event on the span and marks it as an error. */
  recordException(span: Span, error: unknown): void;
  /** W3C trace-context (and baggage) headers for the active span, to propagate by hand. */
  currentHeaders(): Record<string, string>;
  /** Live debugging: see {@link captureSnapshot}. */
  captureSnapshot(label: string, variables?: Record<string, unknown>): void;
}

const TRACER_NAME = 'tracekit.manual';

function statusCode(status: StatusInput | undefined): SpanStatusCode | undefined {
  if (status === undefined) return undefined;
  if (typeof status === 'number') return status;
  return status === 'ERROR' ? SpanStatusCode.ERROR : status === 'OK' ? SpanStatusCode.OK : SpanStatusCode.UNSET;
}

const client: Client = {
  startSpan(name, attributes) {
    return trace.getTracer(TRACER_NAME, VERSION).startSpan(name, { attributes });
  },
  endSpan(span, attributes, status) {
    if (attributes) span.setAttributes(attributes);
    const code = statusCode(status);
    if (code !== undefined) span.setStatus({ code });
    span.end();
  },
  recordException(span, error) {
    recordError(span, error);
  },
  currentHeaders() {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return carrier;
  },
  captureSnapshot(label, variables) {
    snapshotAt(label, variables, client.captureSnapshot);
  },
};

/**
 * Marks a snapshot point (docs/debugging.md, "Snapshot API"). Its first call registers a
 * breakpoint named `label` with the collector, off until you enable it in the dashboard's Debug
 * view; then calls capture `variables` (bounded, secrets redacted), the stack and the request,
 * at most once a second and 100 times by default. Synchronous, never throws, and a no-op
 * unless TRACEKIT_CODE_MONITORING=true.
 */
export function captureSnapshot(label: string, variables?: Record<string, unknown>): void {
  snapshotAt(label, variables, captureSnapshot);
}

/** `caller` is the public function the app called: the stack starts at the app's own frame. */
function snapshotAt(label: string, variables: unknown, caller: (...args: never[]) => unknown): void {
  try {
    runningAgent()?.codeMonitor?.sites.capture(label, variables, caller);
  } catch {
    // never into the app
  }
}

/**
 * Starts tracekit from code with the seed's options (`apiKey`, `serviceName`, `endpoint`,
 * `enabled`, `sampleRate`, `enableCodeMonitoring`), or applies them to the agent the preload
 * already started. Environment variables are read first; options given here win.
 */
export function init(options: InitOptions = {}): Client {
  startAgent(options, 'init');
  return client;
}

/** The client for manual spans. Works (as a no-op) when the agent is not running. */
export function getClient(): Client {
  return client;
}

/** Starts a manual span; shorthand for `getClient().startSpan`. */
export function startSpan(name: string, attributes?: Attributes): Span {
  return client.startSpan(name, attributes);
}

/** Ends a manual span; shorthand for `getClient().endSpan`. */
export function endSpan(span: Span, attributes?: Attributes, status?: StatusInput): void {
  client.endSpan(span, attributes, status);
}

/** Records an exception on a span; shorthand for `getClient().recordException`. */
export function recordException(span: Span, error: unknown): void {
  client.recordException(span, error);
}

/** Propagation headers for the active span; shorthand for `getClient().currentHeaders`. */
export function currentHeaders(): Record<string, string> {
  return client.currentHeaders();
}

/** Export counters (spans exported, dropped, failed...), or undefined when not running. */
export function stats(): ExportStats | undefined {
  return runningAgent()?.stats();
}

/** Sends everything buffered now and waits for it (bounded by the flush timeout). */
export async function flush(): Promise<void> {
  await runningAgent()?.flush();
}

/** Flushes and stops the agent: no more spans, hooks removed, worker stopped. */
export async function shutdown(): Promise<void> {
  await runningAgent()?.shutdown();
}
