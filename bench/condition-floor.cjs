'use strict';
// The floor under live debugging's captures without a pause (docs/debugging.md, "Cost"): how
// long V8 stops an express handler's line to evaluate a breakpoint condition that does nothing,
// by the app's own clock, in the app bench/code-monitoring.cjs measures (fixtures/debug/app.cjs,
// the `// @bp timed` line), without tracekit. bench/condition-probe.cjs sets the breakpoint
// from its own inspector session and leaves it set, so each request evaluates it once.
// Two runs: no session, and the breakpoint with a condition that only records when it ran
// (always false, so V8 never pauses): the stop at the line, and how much of it comes before the
// condition's own code runs.
//
// Usage: node bench/condition-floor.cjs [--requests 300] [--node PATH]
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { option } = require('./args.cjs');
const { ROOT, startProcess, stopProcess } = require('./processes.cjs');

const NODE = option('node', process.execPath);
const REQUESTS = Number(option('requests', 300));
const FILE = join(ROOT, 'fixtures', 'debug', 'handlers.cjs');
const LINE = readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes('// @bp timed')) + 1;

/** The app with the probe preloaded (no session when `condition` is undefined), once it listens and the probe is ready. */
async function startApp(condition) {
  const env = { PROBE_FILE: FILE, PROBE_LINE: String(LINE), ...(condition === undefined ? {} : { PROBE_CONDITION: condition }) };
  // Both lines, in either order: the app's port and the probe's word that its breakpoint is set.
  const ready = /^(?=[\s\S]*PROBE-READY)[\s\S]*LISTENING (\d+)/;
  const app = await startProcess([NODE, '--require', join(__dirname, 'condition-probe.cjs'), join(ROOT, 'fixtures', 'debug', 'app.cjs')], { env, ready });
  return { child: app.child, url: `http://127.0.0.1:${app.match[1]}` };
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

/** Requests the timed handler one at a time, 20 ms apart (as code-monitoring.cjs does): its stop at the line, and when the condition ran. */
async function measure(condition) {
  const app = await startApp(condition);
  try {
    const stopped = [];
    const before = [];
    for (let i = 0; i < 50; i++) await fetch(`${app.url}/timed-orders/5`).then((r) => r.json()); // warm-up
    for (let i = 0; i < REQUESTS; i++) {
      const r = await fetch(`${app.url}/timed-orders/5`).then((res) => res.json());
      stopped.push(r.stoppedMs);
      if (r.conditionRanMs !== undefined) before.push(r.conditionRanMs);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (condition !== undefined && before.length < REQUESTS) throw new Error(`the condition ran in ${before.length} of ${REQUESTS} requests: the breakpoint did not bind`);
    return { stopped, before };
  } finally {
    await stopProcess(app.child);
  }
}

async function main() {
  const version = execFileSync(NODE, ['-p', 'process.version']).toString().trim();
  const fmt = (xs) => {
    xs.sort((a, b) => a - b);
    return `p50 ${pct(xs, 0.5).toFixed(3)} ms, p99 ${pct(xs, 0.99).toFixed(3)} ms`;
  };
  console.log(`Node ${version}, fixtures/debug/handlers.cjs:${LINE}, ${REQUESTS} requests 20 ms apart, the app's clock around the line`);
  const none = await measure(undefined);
  console.log(`  no inspector session: ${fmt(none.stopped)}`);
  // The handler reports globalThis.conditionRanAt - startedMs when the condition set it.
  const timed = await measure('(globalThis.conditionRanAt = performance.now(), false)');
  console.log(`  a breakpoint whose condition records when it ran: ${fmt(timed.stopped)}`);
  console.log(`    of which before the condition's code ran:  ${fmt(timed.before)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
