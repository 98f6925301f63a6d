/**
 * What the collector makes of an OTLP request once decoded (from protobuf or JSON) and
 * checked: records grouped by the resource that sent them. Spans reuse the agent's
 * {@link SpanRecord}, the one type the two halves share.
 */
import type { AttributeMap, SpanRecord } from '../../otlp/types';

export interface ResourceGroup<T> {
  /** `service.name`, or `unknown_service` as the OTel spec names a service without one. */
  service: string;
  /** `service.instance.id`, else host name and pid, else empty. */
  instance: string;
  resource: AttributeMap;
  items: T[];
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** One data point of any metric type, flattened; unused fields stay undefined. */
export interface MetricPointIn {
  name: string;
  unit: string;
  kind: MetricKind;
  /** 0 unspecified, 1 delta, 2 cumulative (OTLP AggregationTemporality). */
  temporality: 0 | 1 | 2;
  monotonic: boolean;
  attributes: AttributeMap;
  startMs: number;
  timeMs: number;
  value: number | undefined;
  count: number | undefined;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  bounds: number[] | undefined;
  counts: number[] | undefined;
}

export interface LogRecordIn {
  timeMs: number;
  severityNumber: number;
  severityText: string;
  body: string;
  attributes: AttributeMap;
  traceId: string;
  spanId: string;
  /** OTLP `event_name`; empty when the record is not an event. */
  eventName: string;
}

/** A decoded request: the accepted records, and how many were rejected and why. */
export interface Decoded<T> {
  groups: ResourceGroup<T>[];
  accepted: number;
  rejected: number;
  /** The first rejection's reason, for the partial-success message. */
  rejectReason: string | undefined;
}

export type DecodedTraces = Decoded<SpanRecord>;
export type DecodedMetrics = Decoded<MetricPointIn>;
export type DecodedLogs = Decoded<LogRecordIn>;
