'use strict';
// Preloaded (--require) by bench/condition-floor.cjs into fixtures/debug/app.cjs, without
// tracekit: a worker thread with its own inspector session on the main thread sets one
// breakpoint at PROBE_FILE:PROBE_LINE (1-based) with the V8 condition PROBE_CONDITION, and
// leaves it set, so every run of the line evaluates the condition once. Prints PROBE-READY
// once the breakpoint is set (or at once, when PROBE_CONDITION is unset: no session at all).
const { Worker, isMainThread } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

if (!isMainThread) {
  // a worker of the app's: nothing to do
} else if (process.env.PROBE_CONDITION === undefined) {
  process.stdout.write('PROBE-READY\n');
} else {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { Session } = require('node:inspector/promises');
     const keepAlive = setInterval(() => {}, 60000); // the session's answers keep nothing alive
     const session = new Session();
     session.connectToMainThread();
     (async () => {
       await session.post('Debugger.enable');
       // Set before the app loads the file: V8 binds it when the file is compiled.
       await session.post('Debugger.setBreakpointByUrl', { url: workerData.url, lineNumber: workerData.line - 1, condition: workerData.condition });
       parentPort.postMessage('set');
     })().catch((err) => parentPort.postMessage(String(err)));`,
    { eval: true, execArgv: [], workerData: { url: pathToFileURL(process.env.PROBE_FILE).href, line: Number(process.env.PROBE_LINE), condition: process.env.PROBE_CONDITION } },
  );
  worker.unref();
  worker.once('message', (m) => {
    if (m === 'set') return process.stdout.write('PROBE-READY\n');
    // The bench waits for PROBE-READY: end the app so it hears of the failure.
    process.stderr.write(`condition probe: ${m}\n`);
    process.exit(1);
  });
}
