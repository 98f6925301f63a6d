'use strict';
// Shared by the agent benchmarks: child processes that print `LISTENING <port>` when ready
// (the bench app, the OTLP sink, the downstream server).
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

/**
 * Spawns `cmd` (program and arguments) in the project root and resolves once it prints
 * `LISTENING <port>`: its port, the time from spawn, and its output so far. Rejects if the
 * process exits first.
 */
function startListening(cmd, env = {}) {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), startupMs: Number(process.hrtime.bigint() - t0) / 1e6, out: () => out, err: () => err });
    });
    child.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** Ends a child process with `signal` and resolves when it has exited. */
function stopProcess(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

module.exports = { ROOT, startListening, stopProcess };
