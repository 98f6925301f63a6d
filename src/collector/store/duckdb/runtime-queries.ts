/**
 * The Runtime view: each process's gauges over time (CPU, RSS, heap, event-loop delay and
 * utilisation), averaged per chart step. They come from the agent's runtime metrics; a sender
 * that exports none has no processes here.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { RUNTIME_METRICS } from '../../../shared/contract';
import type { QueryScope, RuntimeSeries } from '../store';
import { readRows, type SqlParams } from './connection';
import { scopeWhere } from './sql-scope';

/** The gauges shown, in the order the view draws them. */
const RUNTIME_GAUGES = [
  RUNTIME_METRICS.cpuUtilization,
  RUNTIME_METRICS.memoryUsage,
  'v8js.memory.heap.used',
  'v8js.memory.heap.limit',
  'nodejs.eventloop.utilization',
  'nodejs.eventloop.delay.p50',
  'nodejs.eventloop.delay.p99',
  'nodejs.eventloop.delay.max',
] as const;

const GAUGE = 0;

/** Per process (service and instance), per step: the mean of each gauge's points in it. */
export async function runtimeSeries(conn: DuckDBConnection, scope: QueryScope, stepUs: number): Promise<RuntimeSeries> {
  const p: SqlParams = [BigInt(Math.trunc(scope.fromUs)), BigInt(Math.trunc(stepUs))];
  const names = RUNTIME_GAUGES.map(() => '?').join(', ');
  const where = scopeWhere(scope, 'time_us', p);
  p.push(...RUNTIME_GAUGES);
  const rows = await readRows(conn, `
    SELECT service, instance, name, (time_us - ? - 1) // ? AS g, avg(value) AS v
    FROM metric_points WHERE ${where} AND kind = ${GAUGE} AND name IN (${names}) AND value IS NOT NULL
    GROUP BY ALL ORDER BY service, instance, g`, p);
  const buckets = Math.max(1, Math.ceil((scope.toUs - scope.fromUs) / stepUs));
  const times = Array.from({ length: buckets }, (_, i) => (scope.fromUs + (i + 1) * stepUs) / 1000);
  const processes = new Map<string, RuntimeSeries['processes'][number]>();
  for (const r of rows) {
    const g = Number(r.g);
    // As the request series: a point stamped at a step's end belongs to it, and one from a clock
    // running ahead of ours to the last step.
    const at = Math.min(Math.max(0, g), buckets - 1);
    const key = `${String(r.service)}\u0000${String(r.instance)}`;
    let proc = processes.get(key);
    if (proc === undefined) {
      proc = { service: String(r.service), instance: String(r.instance), gauges: {} };
      processes.set(key, proc);
    }
    const series = (proc.gauges[String(r.name)] ??= Array.from({ length: buckets }, () => null));
    series[at] = Number(r.v);
  }
  return { stepMs: stepUs / 1000, timesMs: times, gauges: [...RUNTIME_GAUGES], processes: [...processes.values()] };
}
