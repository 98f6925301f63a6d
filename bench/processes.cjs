'use strict';
// Shared by the benchmarks: child processes that say on stdout when they are ready (the bench
// app, the OTLP sink and the downstream server print `LISTENING <port>`; the collector its URL).
const { execFile, spawn } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

/**
 * Spawns `cmd` (program and arguments) in `cwd` (the project root by default) and resolves
 * once its stdout matches `ready`: the match, the time from spawn, and its output so far.
 * Rejects if the process exits first.
 */
function startProcess(cmd, { env = {}, ready, cwd = ROOT }) {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd[0], cmd.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const match = ready.exec(out);
      if (match) resolve({ child, match, startupMs: Number(process.hrtime.bigint() - t0) / 1e6, out: () => out, err: () => err });
    });
    child.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** `startProcess` for the bench processes that print `LISTENING <port>`; adds `port`. */
async function startListening(cmd, env = {}, cwd = ROOT) {
  const p = await startProcess(cmd, { env, ready: /LISTENING (\d+)/, cwd });
  return { ...p, port: Number(p.match[1]) };
}

/**
 * Ends a child process with `signal` and resolves when it has exited. A process still running
 * 5 s later gets SIGKILL: some agents answer SIGTERM by shutting themselves down and leaving
 * the app running (OpenTelemetry's auto-instrumentation `register` does).
 */
function stopProcess(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const escalate = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(escalate);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Requests completed by one `wrk -t1` run of `seconds` against `url` with `connections`
 * connections, on CPU 1. Rejects when any response was not 2xx or 3xx: an error path costs
 * differently from the route being measured.
 */
function wrkServed(url, seconds, connections) {
  return new Promise((resolve, reject) => {
    execFile('taskset', ['-c', '1', 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, url], (err, stdout) => {
      if (err) return reject(err);
      if (/Non-2xx or 3xx responses/.test(stdout)) return reject(new Error(`wrk saw errors:\n${stdout}`));
      resolve(Number(/(\d+) requests in/.exec(stdout)[1]));
    });
  });
}

module.exports = { ROOT, startProcess, startListening, stopProcess, wrkServed };
