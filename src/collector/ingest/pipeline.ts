/**
 * From an HTTP body to committed rows: decode by signal and encoding, turn records into
 * rows, queue them. Decoding happens before anything is queued, so a malformed request
 * leaves no trace in the store.
 */
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../otlp/json-decode';
import type { Decoded, ResourceGroup } from '../otlp/model';
import { decodeLogsProto } from '../otlp/proto-logs';
import { decodeMetricsProto } from '../otlp/proto-metrics';
import { decodeTracesProto } from '../otlp/proto-traces';
import type { Encoding, Signal } from '../otlp/response';
import type { ResourceRow, WriteBatch } from '../store/rows';
import { CumulativeToDelta } from './cumulative-to-delta';
import { logRows } from './log-rows';
import { routeRows } from './route-rows';
import { snapshotRows, type AdmitSnapshot } from './snapshot-rows';
import { bucketRows, metricRows } from './metric-rows';
import { edgeRows } from './edge-rows';
import { traceRows } from './span-rows';
import type { Submitted, WriteQueue } from './write-queue';
import { resetCuts, takeCuts } from '../otlp/value-limits';

export interface IngestResult {
  /** What the write queue made of the request: queued (with its commit), busy (503) or too large (413). */
  submitted: Submitted;
  accepted: number;
  rejected: number;
  rejectReason: string | undefined;
}

export interface IngestCounters {
  spans: number;
  metricPoints: number;
  logRecords: number;
  rejected: number;
  malformedRequests: number;
  refusedRequests: number;
  /** Requests whose write failed (the store refused them or could not write). */
  failedRequests: number;
  /** Values cut to the limits (value-limits.ts): long strings, deep nesting, attributes over a record's budget. */
  truncatedValues: number;
  /** Route-inventory records over the per-snapshot limit, or without a route. */
  droppedRoutes: number;
  /** Snapshots of a breakpoint that had all it may keep, or of none. */
  droppedSnapshots: number;
}

const SEEN_RESOURCES_LIMIT = 10_000;

export class IngestPipeline {
  readonly counters: IngestCounters = { spans: 0, metricPoints: 0, logRecords: 0, rejected: 0, malformedRequests: 0, refusedRequests: 0, failedRequests: 0, truncatedValues: 0, droppedRoutes: 0, droppedSnapshots: 0 };
  private readonly deltas = new CumulativeToDelta(Date.now());
  private readonly seenResources = new Set<string>();

  constructor(private readonly queue: WriteQueue, private readonly admitSnapshot: AdmitSnapshot = () => true) {}

  /** Decodes and queues one request body. Throws MalformedInput for a bad body. */
  ingest(signal: Signal, encoding: Encoding, body: Buffer): IngestResult {
    const batch: WriteBatch = { spans: [], errors: [], frames: [], metrics: [], buckets: [], edges: [], logs: [], routes: [], snapshots: [], resources: [] };
    let decoded: Decoded<unknown>;
    let droppedRoutes = 0;
    resetCuts();
    try {
      if (signal === 'traces') {
        const d = encoding === 'json' ? decodeTracesJson(body.toString('utf8')) : decodeTracesProto(body);
        const rows = traceRows(d);
        batch.spans = rows.spans;
        batch.errors = rows.errors;
        batch.frames = rows.frames;
        batch.edges = edgeRows(rows.spans);
        decoded = d;
      } else if (signal === 'metrics') {
        const d = encoding === 'json' ? decodeMetricsJson(body.toString('utf8')) : decodeMetricsProto(body);
        batch.metrics = metricRows(d, this.deltas);
        batch.buckets = bucketRows(batch.metrics);
        decoded = d;
      } else {
        const d = encoding === 'json' ? decodeLogsJson(body.toString('utf8')) : decodeLogsProto(body);
        batch.logs = logRows(d);
        const routes = routeRows(d, Date.now() * 1000);
        batch.routes = routes.rows;
        droppedRoutes = routes.dropped;
        const snapshots = snapshotRows(d, this.admitSnapshot);
        batch.snapshots = snapshots.rows;
        this.counters.droppedSnapshots += snapshots.dropped;
        decoded = d;
      }
    } catch (err) {
      takeCuts();
      this.counters.malformedRequests++;
      throw err;
    }
    const truncated = takeCuts();
    batch.resources = this.newResources(decoded.groups);
    let submitted = this.queue.submit(batch);
    if (submitted.status !== 'queued') {
      this.counters.refusedRequests++;
    } else {
      const accepted = decoded.accepted;
      const rejected = decoded.rejected;
      // Counted once stored: a request whose write failed is not in the ingest counts.
      submitted = {
        status: 'queued',
        done: submitted.done.then(
          () => {
            this.counters.rejected += rejected;
            this.counters.truncatedValues += truncated;
            this.counters.droppedRoutes += droppedRoutes;
            if (signal === 'traces') this.counters.spans += accepted;
            else if (signal === 'metrics') this.counters.metricPoints += accepted;
            else this.counters.logRecords += accepted;
          },
          (err: unknown) => {
            this.counters.failedRequests++;
            throw err;
          },
        ),
      };
    }
    return { submitted, accepted: decoded.accepted, rejected: decoded.rejected, rejectReason: decoded.rejectReason };
  }

  /** After a retention sweep: describe every process again on its next request. */
  forgetResources(): void {
    this.seenResources.clear();
  }

  /** Resource rows for resources not written recently (so each process is described once). */
  private newResources(groups: ResourceGroup<unknown>[]): ResourceRow[] {
    const rows: ResourceRow[] = [];
    for (const g of groups) {
      const attributes = JSON.stringify(g.resource);
      const key = `${g.service}\0${g.instance}\0${attributes}`;
      if (this.seenResources.has(key)) continue;
      if (this.seenResources.size >= SEEN_RESOURCES_LIMIT) this.seenResources.clear();
      this.seenResources.add(key);
      rows.push({ service: g.service, instance: g.instance, attributes, seenUs: Date.now() * 1000 });
    }
    return rows;
  }
}
