'use strict';
// Run under the preload with TRACEKIT_CODE_MONITORING=true (bench/code-monitoring.cjs does):
// the cost of one captureSnapshot call whose breakpoint is off, against an empty function call.
const tracekit = require('tracekit-node');
const N = Number(process.env.CALLS || 5_000_000);
const vars = { id: 1 };
function empty(label, v) { return v === label; }
function time(f) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) f('bench-site', vars);
  return Number(process.hrtime.bigint() - t0) / N;
}
tracekit.captureSnapshot('bench-site', vars); // registers the site (off)
const results = [];
for (let r = 0; r < 5; r++) results.push({ snapshot: time(tracekit.captureSnapshot), empty: time(empty) });
const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ snapshotNs: med(results.map((r) => r.snapshot)), emptyNs: med(results.map((r) => r.empty)) }));
