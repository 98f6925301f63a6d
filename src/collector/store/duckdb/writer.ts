/**
 * Batched writes through DuckDB appenders, one transaction per batch: a batch lands whole
 * or not at all. Appenders stay open between batches (creating one costs a round trip).
 */
import { DOUBLE, LIST, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { UnfitRow } from '../store';
import type { FrameRow, BucketRow, EdgeRow, ErrorRow, LogRow, MetricRow, ResourceRow, RouteRow, SnapshotRow, SpanRow, WriteBatch } from '../rows';

const DOUBLE_LIST = LIST(DOUBLE);
/** Rows appended between two turns of the event loop (a list element counts as a row). */
const SLICE_ROWS = 5000;

/** A histogram point's bucket lists cost about as much to append per element as a row. */
function metricWeight(m: MetricRow): number {
  return 1 + (m.bounds?.length ?? 0) + (m.counts?.length ?? 0);
}

function vOrNull(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

function dOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendDouble(v);
}

function iOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendInteger(Math.trunc(v));
}

function appendSpan(a: DuckDBAppender, s: SpanRow): void {
  a.appendVarchar(s.service);
  a.appendVarchar(s.instance);
  a.appendVarchar(s.traceId);
  a.appendVarchar(s.spanId);
  vOrNull(a, s.parentId);
  a.appendVarchar(s.name);
  a.appendUTinyInt(s.kind);
  a.appendBigInt(BigInt(s.startUs));
  a.appendBigInt(BigInt(s.durationUs));
  a.appendUTinyInt(s.status);
  vOrNull(a, s.statusMessage);
  vOrNull(a, s.route);
  vOrNull(a, s.method);
  if (s.httpStatus === null || s.httpStatus < 0 || s.httpStatus > 65535) a.appendNull();
  else a.appendUSmallInt(Math.trunc(s.httpStatus));
  vOrNull(a, s.peer);
  vOrNull(a, s.dbSystem);
  iOrNull(a, s.dbCount);
  dOrNull(a, s.dbMs);
  iOrNull(a, s.outCount);
  vOrNull(a, s.nPlusOne);
  a.appendBoolean(s.isEntry);
  vOrNull(a, s.requestRoute);
  a.appendVarchar(s.scope);
  a.appendVarchar(s.attributes);
  vOrNull(a, s.events);
  vOrNull(a, s.links);
  vOrNull(a, s.dbStatement);
  if (s.dbRows === null) a.appendNull();
  else a.appendBigInt(BigInt(s.dbRows));
  a.endRow();
}

function appendError(a: DuckDBAppender, e: ErrorRow): void {
  a.appendVarchar(e.fingerprint);
  a.appendVarchar(e.service);
  a.appendBigInt(BigInt(e.timeUs));
  a.appendVarchar(e.traceId);
  a.appendVarchar(e.spanId);
  a.appendVarchar(e.spanName);
  vOrNull(a, e.route);
  a.appendVarchar(e.type);
  a.appendVarchar(e.message);
  a.appendVarchar(e.stack);
  a.endRow();
}

function appendFrame(a: DuckDBAppender, f: FrameRow): void {
  a.appendVarchar(f.service);
  a.appendVarchar(f.fingerprint);
  a.appendBigInt(BigInt(f.timeUs));
  a.appendVarchar(f.file);
  a.appendVarchar(f.function);
  a.appendInteger(f.line);
  a.appendBoolean(f.library);
  a.endRow();
}

function appendMetric(a: DuckDBAppender, m: MetricRow): void {
  a.appendVarchar(m.service);
  a.appendVarchar(m.instance);
  a.appendVarchar(m.name);
  a.appendUTinyInt(m.kind);
  a.appendBigInt(BigInt(m.startUs));
  a.appendBigInt(BigInt(m.timeUs));
  vOrNull(a, m.route);
  vOrNull(a, m.method);
  if (m.httpStatus === null || m.httpStatus < 0 || m.httpStatus > 65535) a.appendNull();
  else a.appendUSmallInt(Math.trunc(m.httpStatus));
  a.appendVarchar(m.attributes);
  dOrNull(a, m.value);
  dOrNull(a, m.count);
  dOrNull(a, m.sum);
  dOrNull(a, m.min);
  dOrNull(a, m.max);
  if (m.bounds === null) a.appendNull();
  else a.appendList(m.bounds, DOUBLE_LIST);
  if (m.counts === null) a.appendNull();
  else a.appendList(m.counts, DOUBLE_LIST);
  a.endRow();
}

function appendBucket(a: DuckDBAppender, b: BucketRow): void {
  a.appendVarchar(b.service);
  a.appendVarchar(b.name);
  vOrNull(a, b.route);
  vOrNull(a, b.method);
  if (b.httpStatus === null || b.httpStatus < 0 || b.httpStatus > 65535) a.appendNull();
  else a.appendUSmallInt(Math.trunc(b.httpStatus));
  a.appendBigInt(BigInt(b.timeUs));
  a.appendUSmallInt(b.bucket);
  a.appendDouble(b.count);
  a.endRow();
}

function appendEdge(a: DuckDBAppender, e: EdgeRow): void {
  a.appendUTinyInt(e.kind);
  a.appendVarchar(e.service);
  vOrNull(a, e.route);
  vOrNull(a, e.host);
  a.appendBigInt(BigInt(e.minuteUs));
  a.appendDouble(e.calls);
  a.appendDouble(e.errors);
  a.endRow();
}

function appendLog(a: DuckDBAppender, l: LogRow): void {
  a.appendVarchar(l.service);
  a.appendVarchar(l.instance);
  a.appendBigInt(BigInt(l.timeUs));
  a.appendUTinyInt(Math.min(255, Math.max(0, l.severity)));
  a.appendVarchar(l.severityText);
  a.appendVarchar(l.body);
  vOrNull(a, l.traceId);
  vOrNull(a, l.spanId);
  a.appendVarchar(l.attributes);
  a.endRow();
}

function appendRoute(a: DuckDBAppender, r: RouteRow): void {
  a.appendVarchar(r.service);
  a.appendVarchar(r.instance);
  a.appendVarchar(r.snapshot);
  a.appendBigInt(BigInt(r.reportedUs));
  a.appendVarchar(r.method);
  a.appendVarchar(r.route);
  a.appendVarchar(r.kind);
  a.appendVarchar(r.function);
  a.appendVarchar(r.file);
  a.appendInteger(r.line);
  a.appendInteger(r.column);
  a.appendBoolean(r.truncated);
  a.endRow();
}

/** Consecutive runs of route rows from one (service, snapshot). */
function snapshotsOf(rows: RouteRow[]): RouteRow[][] {
  const runs: RouteRow[][] = [];
  for (const r of rows) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0].service === r.service && last[0].snapshot === r.snapshot) last.push(r);
    else runs.push([r]);
  }
  return runs;
}

function appendSnapshot(a: DuckDBAppender, r: SnapshotRow): void {
  a.appendVarchar(r.id);
  a.appendVarchar(r.service);
  a.appendVarchar(r.instance);
  a.appendVarchar(r.breakpointId);
  a.appendBigInt(BigInt(r.timeUs));
  vOrNull(a, r.traceId);
  vOrNull(a, r.spanId);
  vOrNull(a, r.label);
  a.appendVarchar(r.file);
  a.appendInteger(r.line);
  a.appendVarchar(r.function);
  a.appendVarchar(r.body);
  a.endRow();
}

function appendResource(a: DuckDBAppender, r: ResourceRow): void {
  a.appendVarchar(r.service);
  a.appendVarchar(r.instance);
  a.appendVarchar(r.attributes);
  a.appendBigInt(BigInt(r.seenUs));
  a.endRow();
}

export class BatchWriter {
  private appenders: Record<'spans' | 'errors' | 'error_frames' | 'metric_points' | 'histogram_buckets' | 'call_edges' | 'logs' | 'route_inventory' | 'snapshots' | 'resources', DuckDBAppender> | undefined;

  constructor(private readonly conn: DuckDBConnection) {}

  private async open(): Promise<NonNullable<BatchWriter['appenders']>> {
    this.appenders ??= {
      spans: await this.conn.createAppender('spans'),
      errors: await this.conn.createAppender('errors'),
      error_frames: await this.conn.createAppender('error_frames'),
      metric_points: await this.conn.createAppender('metric_points'),
      histogram_buckets: await this.conn.createAppender('histogram_buckets'),
      call_edges: await this.conn.createAppender('call_edges'),
      logs: await this.conn.createAppender('logs'),
      route_inventory: await this.conn.createAppender('route_inventory'),
      snapshots: await this.conn.createAppender('snapshots'),
      resources: await this.conn.createAppender('resources'),
    };
    return this.appenders;
  }

  /**
   * Writes a batch in one transaction; on failure nothing of it remains. Rows go in slices of
   * {@link SLICE_ROWS}, and the event loop gets a turn between slices, so a request with a
   * hundred thousand rows never holds the server for long (the transaction stays open across
   * the turns; only this writer uses its connection).
   */
  async write(batch: WriteBatch): Promise<void> {
    const ap = await this.open();
    await this.conn.run('BEGIN TRANSACTION');
    try {
      let slice = 0;
      const step = async <T>(rows: T[], a: DuckDBAppender, append: (a: DuckDBAppender, row: T) => void, weight?: (row: T) => number): Promise<void> => {
        for (let i = 0; i < rows.length; i++) {
          try {
            append(a, rows[i]);
          } catch (err) {
            throw new UnfitRow(`a row the store cannot take: ${(err as Error).message ?? String(err)}`);
          }
          slice += weight === undefined ? 1 : weight(rows[i]);
          if (slice >= SLICE_ROWS) {
            slice = 0;
            a.flushSync();
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
      };
      await step(batch.spans, ap.spans, appendSpan);
      await step(batch.errors, ap.errors, appendError);
      await step(batch.frames, ap.error_frames, appendFrame);
      await step(batch.metrics, ap.metric_points, appendMetric, metricWeight);
      await step(batch.buckets, ap.histogram_buckets, appendBucket);
      await step(batch.edges, ap.call_edges, appendEdge);
      await step(batch.logs, ap.logs, appendLog);
      // A route snapshot replaces the service's rows from other snapshots (rows of its own,
      // split across requests by a forwarding collector, stay).
      for (const run of snapshotsOf(batch.routes)) {
        ap.route_inventory.flushSync();
        await this.conn.run('DELETE FROM route_inventory WHERE service = ? AND snapshot <> ?', [run[0].service, run[0].snapshot]);
        await step(run, ap.route_inventory, appendRoute);
        ap.route_inventory.flushSync();
      }
      await step(batch.snapshots, ap.snapshots, appendSnapshot);
      await step(batch.resources, ap.resources, appendResource);
      for (const a of Object.values(ap)) a.flushSync();
      await this.conn.run('COMMIT');
    } catch (err) {
      // An appender holding a half row is unusable; drop them all and start fresh next time.
      for (const a of Object.values(ap)) {
        try { a.clear(); a.closeSync(); } catch { /* already broken */ }
      }
      this.appenders = undefined;
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  close(): void {
    if (this.appenders === undefined) return;
    for (const a of Object.values(this.appenders)) {
      try { a.closeSync(); } catch { /* closing anyway */ }
    }
    this.appenders = undefined;
  }
}
