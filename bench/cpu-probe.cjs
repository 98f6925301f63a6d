'use strict';
// Loaded into the measured app by bench/cpu.cjs (`--require`). On SIGUSR2 it prints one line to
// stderr: the CPU time each of the process's threads used since the last SIGUSR2 (from
// /proc/self/task/*/stat, in clock ticks of 10 ms) and the main thread's GC pauses in that time
// (perf_hooks 'gc' entries). It reads /proc only when signalled, so between the two signals of
// a measurement it costs one PerformanceObserver callback per GC.
const { readdirSync, readFileSync } = require('node:fs');
const { PerformanceObserver } = require('node:perf_hooks');

const TICK_MS = 10;
let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    gcCount++;
  }
}).observe({ entryTypes: ['gc'] });

/** Thread id → CPU ticks (user + system) so far. */
function threadTicks() {
  const ticks = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

let last = threadTicks();
process.on('SIGUSR2', () => {
  const now = threadTicks();
  let mainMs = 0;
  let otherMs = 0;
  for (const [tid, t] of now) {
    const ms = (t - (last.get(tid) ?? 0)) * TICK_MS;
    if (tid === process.pid) mainMs += ms;
    else otherMs += ms;
  }
  process.stderr.write(`CPU-PROBE ${JSON.stringify({ mainMs, otherMs, gcMs, gcCount })}\n`);
  last = now;
  gcMs = 0;
  gcCount = 0;
});
