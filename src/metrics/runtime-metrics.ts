/**
 * Runtime metrics read at each collection, not on a timer of their own: CPU, RSS, heap,
 * event-loop delay and utilization, and in-flight requests. Reading them costs a few
 * microseconds per interval; the event-loop delay histogram is Node's own (perf_hooks).
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { RUNTIME_METRICS } from '../shared/contract';
import type { MetricRecord, NumberPoint } from '../otlp/types';

export class RuntimeMetrics {
  private lastCpu = process.cpuUsage();
  private lastMs: number;
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  private delay: IntervalHistogram | undefined;
  private readonly cores = availableParallelism();

  constructor(
    now: number,
    private readonly inflight: () => number,
  ) {
    this.lastMs = now;
    try {
      this.delay = monitorEventLoopDelay({ resolution: 10 });
      this.delay.enable();
    } catch {
      this.delay = undefined;
    }
  }

  stop(): void {
    this.delay?.disable();
  }

  collect(now: number): MetricRecord[] {
    const start = this.lastMs;
    const elapsedS = Math.max((now - start) / 1000, 1e-3);
    const cpu = process.cpuUsage();
    const userS = (cpu.user - this.lastCpu.user) / 1e6;
    const systemS = (cpu.system - this.lastCpu.system) / 1e6;
    this.lastCpu = cpu;
    this.lastMs = now;
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    const mem = process.memoryUsage();
    const gauge = (value: number, attributes = {}): NumberPoint[] => [{ attributes, startMs: start, timeMs: now, value }];
    const out: MetricRecord[] = [
      { name: RUNTIME_METRICS.cpuUtilization, description: 'CPU time used per second of wall time, divided by the number of CPUs.', unit: '1', type: 'gauge', points: gauge((userS + systemS) / elapsedS / this.cores) },
      {
        name: 'process.cpu.time', description: 'CPU seconds used in the interval.', unit: 's', type: 'sum', temporality: 'delta', monotonic: true,
        points: [
          { attributes: { 'cpu.mode': 'user' }, startMs: start, timeMs: now, value: userS },
          { attributes: { 'cpu.mode': 'system' }, startMs: start, timeMs: now, value: systemS },
        ],
      },
      { name: RUNTIME_METRICS.memoryUsage, description: 'Resident set size.', unit: 'By', type: 'gauge', points: gauge(mem.rss) },
      { name: 'v8js.memory.heap.used', description: 'V8 heap in use.', unit: 'By', type: 'gauge', points: gauge(mem.heapUsed) },
      { name: 'v8js.memory.heap.limit', description: 'V8 heap size.', unit: 'By', type: 'gauge', points: gauge(mem.heapTotal) },
      { name: 'nodejs.eventloop.utilization', description: 'Share of time the event loop was busy.', unit: '1', type: 'gauge', points: gauge(elu.utilization) },
      { name: RUNTIME_METRICS.activeRequests, description: 'Requests in flight.', unit: '{request}', type: 'sum', temporality: 'cumulative', monotonic: false, points: [{ attributes: {}, startMs: start, timeMs: now, value: this.inflight(), isInt: true }] },
    ];
    const d = this.delay;
    if (d !== undefined && d.count > 0) {
      out.push(
        { name: 'nodejs.eventloop.delay.p50', description: 'Event loop delay, median.', unit: 's', type: 'gauge', points: gauge(d.percentile(50) / 1e9) },
        { name: 'nodejs.eventloop.delay.p99', description: 'Event loop delay, 99th percentile.', unit: 's', type: 'gauge', points: gauge(d.percentile(99) / 1e9) },
        { name: 'nodejs.eventloop.delay.max', description: 'Event loop delay, maximum.', unit: 's', type: 'gauge', points: gauge(d.max / 1e9) },
      );
      d.reset();
    }
    return out;
  }
}
