/** The API's answer shapes: the collector's own store types, so the two cannot drift apart. */
export type {
  ErrorGroup,
  Graph,
  OutgoingHost,
  Overview,
  RouteStats,
  Series,
  SeriesPoint,
  ServiceInfo,
  SpanDetail,
  TraceDetail,
  TraceSummary,
} from '../../../src/collector/store/store';
