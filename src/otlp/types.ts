/**
 * The telemetry model the OTLP encoders consume: spans (encoded on the main thread as they
 * end) and metrics (plain data, structured-cloned to the exporter worker every interval).
 * The collector shares these types and nothing else.
 */

export type AttributeScalar = string | number | boolean;
export type AttributeValue = AttributeScalar | AttributeScalar[] | null | undefined;
export type AttributeMap = Record<string, AttributeValue>;

/** OTLP SpanKind numbering (INTERNAL=1 … CONSUMER=5); the OTel API's is one lower. */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4 | 5;

export interface EventRecord {
  name: string;
  timeMs: number;
  attributes: AttributeMap | undefined;
}

export interface LinkRecord {
  traceId: string;
  spanId: string;
  traceState: string | undefined;
  attributes: AttributeMap | undefined;
}

/** One finished span. Times are epoch milliseconds (doubles). Ids are lowercase hex. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  traceState: string | undefined;
  name: string;
  kind: OtlpSpanKind;
  startMs: number;
  endMs: number;
  attributes: AttributeMap;
  events: EventRecord[] | undefined;
  links: LinkRecord[] | undefined;
  /** 0 unset, 1 ok, 2 error (OTLP StatusCode). */
  statusCode: 0 | 1 | 2;
  statusMessage: string | undefined;
  droppedAttributes: number;
  droppedEvents: number;
  scopeName: string;
  scopeVersion: string | undefined;
}

/**
 * A span record that also holds its attributes as parallel arrays (the agent's own Span
 * does); the protobuf encoder reads these instead of `attributes` when they are present.
 */
export interface AttributeLists {
  attributeKeys: string[];
  attributeValues: AttributeValue[];
}

/**
 * Attributes that many spans share, encoded once: `bytes` holds them as span-attribute
 * KeyValues (field 9 of Span), ready to copy. An http server span's connection attributes
 * (scheme, addresses, port, user agent, protocol version) are the same for every request on
 * a keep-alive connection, so they are encoded per connection rather than per request.
 */
export interface AttributeBlock {
  readonly keys: readonly string[];
  readonly values: readonly AttributeValue[];
  readonly bytes: Uint8Array;
}

/** A span record with shared, pre-encoded attribute blocks besides its own attributes (the agent's Span; see Span.useBlock). */
export interface BlockAttributes {
  attributeBlocks: readonly AttributeBlock[];
}

/** A trace id as four 32-bit words, each the big-endian value of four of its bytes (as int32). */
export interface TraceIdWords {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
}

/**
 * A span record that also holds its ids as words (the agent's own Span does); the protobuf
 * encoder writes these instead of parsing the hex strings. `p0`/`p1` are both 0 for a root span.
 */
export interface SpanIdWords extends TraceIdWords {
  readonly s0: number;
  readonly s1: number;
  readonly p0: number;
  readonly p1: number;
}

export interface Resource {
  attributes: AttributeMap;
}

/** One histogram series (explicit buckets). `counts.length === bounds.length + 1`. */
export interface HistogramPoint {
  attributes: AttributeMap;
  startMs: number;
  timeMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  bounds: number[];
  counts: number[];
}

export interface NumberPoint {
  attributes: AttributeMap;
  startMs: number;
  timeMs: number;
  value: number;
  /** Encode as an integer (as_int) rather than a double. */
  isInt?: boolean;
}

export type MetricRecord =
  | { name: string; description: string; unit: string; type: 'histogram'; temporality: 'delta' | 'cumulative'; points: HistogramPoint[] }
  | { name: string; description: string; unit: string; type: 'gauge'; points: NumberPoint[] }
  | { name: string; description: string; unit: string; type: 'sum'; temporality: 'delta' | 'cumulative'; monotonic: boolean; points: NumberPoint[] };

/** One OTLP log record, as the agent sends it (plain data: structured-cloned to the exporter worker). */
export interface LogRecord {
  timeMs: number;
  /** OTLP SeverityNumber: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL. */
  severityNumber: number;
  severityText: string;
  body: string;
  attributes: AttributeMap;
  /** OTLP `event_name`: set on records that are events (a route of the route inventory). */
  eventName?: string;
  /** Hex ids of the span active when it was written. */
  traceId?: string;
  spanId?: string;
  /**
   * The same ids as 32-bit words (tracekit's own spans hold them so): written as bytes
   * directly, without making and parsing hex strings. Used instead of traceId/spanId when set.
   */
  idWords?: SpanIdWords;
}
