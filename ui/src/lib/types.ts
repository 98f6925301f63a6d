/** The API's answer shapes: the collector's own store types, so the two cannot drift apart. */
export type {
  CodeEntry,
  ErrorGroup,
  LogEntry,
  LogPage,
  Graph,
  OutgoingHost,
  Overview,
  QueryStats,
  RouteDistribution,
  RuntimeSeries,
  RouteStats,
  Series,
  SeriesPoint,
  ServiceInfo,
  SnapshotDetail,
  SnapshotSummary,
  SpanDetail,
  TraceDetail,
  TraceRow,
  TraceSummary,
} from '../../../src/collector/store/store';
export type { InventoryRoute, RouteInventoryView, TreeNode } from '../../../src/collector/server/code-views';
export type { RouteView } from '../../../src/collector/server/route-view';
export type { MapEdge, MapService, ServiceMap } from '../../../src/collector/server/service-map';
export type { Breakpoint, InstanceState } from '../../../src/collector/debug/breakpoint-types';
export type { SnapshotBody } from '../../../src/debug/snapshot-record';
export type { ValueNode } from '../../../src/debug/value-tree';
