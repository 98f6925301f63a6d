/**
 * Runs the real collector as a user would: `tracekit start` in a child process (through
 * bin/tracekit), on a free port, with a fresh DuckDB file unless one is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './app';

export interface CollectorProcess {
  proc: ChildProcess;
  url: string;
  dbPath: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** GET /api/<path> and parse the JSON answer. */
  api<T = unknown>(path: string, headers?: Record<string, string>): Promise<T>;
}

/** A new temporary directory's path for a store file. */
export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tracekit-test-')), 'store.duckdb');
}

/** Runs `tracekit <args>` to completion (for exit-code and message checks). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'tracekit'), ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function cleanEnv(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...extra })) {
    if (v !== undefined && !k.startsWith('NODE_TEST') && !(k.startsWith('TRACEKIT_COLLECTOR_') && !(k in extra))) env[k] = v;
  }
  return env;
}

/** How long a collector may take to exit after SIGTERM before a test calls it hung (its drain is 5 s). */
const STOP_LIMIT_MS = 30_000;

/** Starts `tracekit start --port 0 --db <path> ...args` and waits until it listens. */
export async function startCollectorProcess(options: { args?: string[]; env?: Record<string, string | undefined>; dbPath?: string; node?: string } = {}): Promise<CollectorProcess> {
  const dbPath = options.dbPath ?? tempDbPath();
  const args = ['start', '--port', '0', '--db', dbPath, ...(options.args ?? [])];
  const proc = spawn(options.node ?? process.execPath, [join(ROOT, 'bin', 'tracekit'), ...args], { cwd: ROOT, env: cleanEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start\nstdout: ${out}\nstderr: ${err}`)), 20000);
    proc.stdout?.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`collector exited early (code ${code})\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return {
    proc,
    url,
    dbPath,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      // A stop that hangs fails the test that asked for it, with what the collector said,
      // rather than holding the whole run (it did once, for 40 minutes).
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), STOP_LIMIT_MS)));
      const result = await Promise.race([exited, hung]);
      clearTimeout(timer);
      if (result === 'hung') {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`the collector did not exit within ${STOP_LIMIT_MS / 1000} s of SIGTERM\nstdout: ${out}\nstderr: ${err}`);
      }
      return result;
    },
    async api<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
      const res = await fetch(`${url}/api/${path}`, { headers });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /api/${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
