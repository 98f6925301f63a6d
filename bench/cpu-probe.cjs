'use strict';
// Loaded into the measured app by bench/cpu.cjs (`--require`). On SIGUSR2 it prints one line to
// stderr: the CPU time each of the process's threads used since the last SIGUSR2 (from
// /proc/self/task/*/stat, in clock ticks of 10 ms) and the main thread's GC pauses in that time
// (perf_hooks 'gc' entries), and the bytes the main thread allocated on the V8 heap in that time
// (v8.GCProfiler: what each GC found in use, less what the previous one left). It reads /proc
// only when signalled, so between the two signals of a measurement it costs one
// PerformanceObserver callback and one profiler record per GC.
const { readdirSync, readFileSync } = require('node:fs');
const { PerformanceObserver } = require('node:perf_hooks');
const v8 = require('node:v8');

const TICK_MS = 10;
let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    gcCount++;
  }
}).observe({ entryTypes: ['gc'] });

/** Thread id → CPU ticks so far, user and system. */
function threadTicks() {
  const ticks = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), { user: Number(fields[11]), sys: Number(fields[12]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

/**
 * Bytes allocated on the heap since the profiler started at `startUsed` bytes in use: the
 * growth before each GC plus the growth since the last one.
 */
function allocatedSince(profile, startUsed) {
  let used = startUsed;
  let bytes = 0;
  for (const gc of profile.statistics) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - used;
    used = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return bytes + v8.getHeapStatistics().used_heap_size - used;
}

let last = threadTicks();
let profiler = new v8.GCProfiler();
let profilerUsed = v8.getHeapStatistics().used_heap_size;
profiler.start();
process.on('SIGUSR2', () => {
  const now = threadTicks();
  let mainMs = 0;
  let mainSysMs = 0;
  let otherMs = 0;
  for (const [tid, t] of now) {
    const before = last.get(tid) ?? { user: 0, sys: 0 };
    const ms = (t.user + t.sys - before.user - before.sys) * TICK_MS;
    if (tid === process.pid) {
      mainMs += ms;
      mainSysMs += (t.sys - before.sys) * TICK_MS;
    } else otherMs += ms;
  }
  const allocated = allocatedSince(profiler.stop(), profilerUsed);
  profiler = new v8.GCProfiler();
  profilerUsed = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  process.stderr.write(`CPU-PROBE ${JSON.stringify({ mainMs, mainSysMs, otherMs, gcMs, gcCount, allocated })}\n`);
  last = now;
  gcMs = 0;
  gcCount = 0;
});
