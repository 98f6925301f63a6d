/**
 * Runs a fixture app in a child process under the real preload, as a user would:
 * `node --import tracekit-node/register fixtures/x.mjs`, from the project root so that the
 * package resolves itself by name. The fixture prints `LISTENING <port>` when ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');

/**
 * The Node binaries the suite runs key tests on: this one, then Node 22 and 24 from the
 * registry's `node` package, which test/versions/install.cjs puts in test/versions/node-<major>.
 */
export const NODES: { name: string; bin: string }[] = [{ name: `node${process.versions.node.split('.')[0]}`, bin: process.execPath }];
for (const major of ['22', '24']) {
  const bin = join(ROOT, 'test', 'versions', `node-${major}`, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(bin) && !process.versions.node.startsWith(`${major}.`)) NODES.push({ name: `node${major}`, bin });
}

export type Preload = 'import' | 'require' | 'none';

export interface AppOptions {
  env?: Record<string, string | undefined>;
  preload?: Preload;
  node?: string;
  args?: string[];
  /** Extra node flags placed before the preload (e.g. a fault-injection --require). */
  nodeFlags?: string[];
  /** Do not wait for LISTENING (for apps that exit on their own). */
  noWait?: boolean;
}

export interface RunningApp {
  proc: ChildProcess;
  port: number;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `fixtures/<name>` and resolves once it listens (or right away with `noWait`). */
export async function startApp(fixture: string, options: AppOptions = {}): Promise<RunningApp> {
  const preload = options.preload ?? 'import';
  const flags = [...(options.nodeFlags ?? [])];
  if (preload !== 'none') flags.push(preload === 'import' ? '--import' : '--require', 'tracekit-node/register');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, TRACEKIT_SCHEDULE_DELAY: '100', ...options.env })) {
    if (v !== undefined && !k.startsWith('NODE_TEST')) env[k] = v;
  }
  const proc = spawn(options.node ?? process.execPath, [...flags, join(FIXTURES, fixture), ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  let port = 0;
  if (!options.noWait) {
    port = await new Promise<number>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`${fixture} did not start in time\nstdout: ${out}\nstderr: ${err}`)), 20000);
      const check = (): void => {
        const m = /LISTENING (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(Number(m[1]));
        }
      };
      proc.stdout?.on('data', check);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        rej(new Error(`${fixture} exited early (code ${code}, signal ${signal})\nstdout: ${out}\nstderr: ${err}`));
      });
    });
  }
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** GET a URL and return status and body text. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
