// The least any tracer built on AsyncLocalStorage adds to a request: every request runs its
// listeners inside `AsyncLocalStorage#run`, so the context reaches everything the request
// starts, and nothing is recorded. A preload for the benchmarks (`--preload` of run.cjs,
// `--variant` of instructions.cjs) that measures that floor on a given Node: on Node 20 and 22
// the storage's async hook runs for every async resource the process creates; on Node 24
// AsyncLocalStorage is built on AsyncContextFrame and needs no hook.
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';

const storage = new AsyncLocalStorage();
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req) {
  if (event !== 'request') return emit.apply(this, arguments);
  const args = arguments;
  return storage.run({ req }, () => emit.apply(this, args));
};
