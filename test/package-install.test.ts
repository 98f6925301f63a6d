/**
 * The packages as a user gets them: both are packed from this checkout, installed from the
 * tarballs into an empty project, and used there as the README says: the collector with
 * `npx tracekit start`, an app with `node --import tracekit-node/register`. The agent alone
 * must install light (no DuckDB, under 10 MB).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './helpers/app';
import { eventually } from './helpers/collector';

const AGENT_LIMIT_BYTES = 10 * 1024 * 1024;

/** Bytes of every file under `dir` (symlinks not followed). */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(p);
    else total += lstatSync(p).size;
  }
  return total;
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts a process in the project and resolves with the first match of `ready` on its stdout. */
function startIn(cwd: string, command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpExecArray; output: () => string }> {
  // Its own process group, so that npx's child (the collector itself) is stopped with it.
  const proc = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} did not start:\n${out}`)), 30_000);
    proc.stdout?.on('data', () => {
      const m = ready.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ proc, match: m, output: () => out });
      }
    });
    proc.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${command} exited early:\n${out}`));
    });
  });
}

describe('the packed packages, installed into an empty project', () => {
  const work = mkdtempSync(join(tmpdir(), 'tracekit-packages-'));
  const packs = join(work, 'packs');
  const project = join(work, 'project');
  const running: ChildProcess[] = [];
  let agentTarball = '';
  let collectorTarball = '';

  before(() => {
    // `npm test` has just built dist/; pack that build (prepack would build it again).
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'stage-collector.cjs')], { stdio: 'ignore' });
    mkdirSync(packs, { recursive: true });
    mkdirSync(project, { recursive: true });
    agentTarball = join(packs, npm(['pack', '--ignore-scripts', '--pack-destination', packs, '--loglevel=error'], ROOT).trim().split('\n').pop() as string);
    collectorTarball = join(packs, npm(['pack', '--ignore-scripts', '--pack-destination', packs, '--loglevel=error'], join(ROOT, 'collector')).trim().split('\n').pop() as string);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop-api', version: '1.0.0', private: true }));
  });
  after(() => {
    for (const p of running) {
      try {
        if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('packs the agent without the collector, and the collector without the agent', () => {
    const agentFiles = execFileSync('tar', ['tzf', agentTarball], { encoding: 'utf8' }).split('\n');
    const collectorFiles = execFileSync('tar', ['tzf', collectorTarball], { encoding: 'utf8' }).split('\n');
    assert.ok(agentFiles.includes('package/dist/agent/register-esm.mjs'));
    assert.ok(agentFiles.includes('package/LICENSE'));
    assert.deepEqual(agentFiles.filter((f) => /dist\/(collector|cli|ui)\//.test(f)), []);
    assert.ok(collectorFiles.includes('package/bin/tracekit'));
    assert.ok(collectorFiles.includes('package/dist/ui/index.html'));
    assert.deepEqual(collectorFiles.filter((f) => /dist\/(agent|tracer|instrumentations|exporter)\//.test(f)), []);
    const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; private?: boolean; license?: string };
    const collectorPkg = JSON.parse(readFileSync(join(ROOT, 'collector', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(rootPkg.private, undefined, 'publishable');
    assert.equal(rootPkg.license, 'MIT');
    assert.equal(collectorPkg.dependencies['@duckdb/node-api'], rootPkg.devDependencies['@duckdb/node-api'], 'the collector ships the DuckDB the tests ran against');
  });

  it('installs the agent alone under 10 MB, with no DuckDB', () => {
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', agentTarball], project);
    const bytes = sizeOf(join(project, 'node_modules'));
    console.log(`agent installed: ${(bytes / 1024 / 1024).toFixed(1)} MB in node_modules`);
    assert.ok(bytes < AGENT_LIMIT_BYTES, `${bytes} bytes`);
    assert.equal(existsSync(join(project, 'node_modules', '@duckdb')), false);
  });

  it('runs an app under --import tracekit-node/register against npx tracekit start from the install', { timeout: 120_000 }, async () => {
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', collectorTarball], project);
    writeFileSync(join(project, 'server.cjs'), [
      "const http = require('node:http');",
      "const server = http.createServer((req, res) => res.end('ok'));",
      "server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));",
    ].join('\n'));
    writeFileSync(join(project, 'worker.mjs'), [
      "import http from 'node:http';",
      "const server = http.createServer((req, res) => res.end('esm'));",
      "server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));",
    ].join('\n'));
    // The preload in NODE_OPTIONS, as in a container: the collector must not trace itself.
    const collector = await startIn(project, 'npx', ['--no', 'tracekit', 'start', '--port', '0', '--db', join(work, 'store.duckdb')], { NODE_OPTIONS: '--import tracekit-node/register' }, /listening on (http:\/\/\S+)/);
    running.push(collector.proc);
    const url = collector.match[1];
    for (const [entry, service] of [['server.cjs', 'shop-api'], ['worker.mjs', 'shop-worker']]) {
      const app = await startIn(project, process.execPath, ['--import', 'tracekit-node/register', entry], { TRACEKIT_ENDPOINT: url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_SCHEDULE_DELAY: '100' }, /LISTENING (\d+)/);
      running.push(app.proc);
      assert.equal(await (await fetch(`http://127.0.0.1:${app.match[1]}/orders/7`)).text(), entry === 'server.cjs' ? 'ok' : 'esm');
      await eventually(async () => {
        const services = (await (await fetch(`${url}/api/services?window=5m`)).json()) as { service: string }[];
        return services.some((s) => s.service === service) ? true : undefined;
      }, `spans of ${service} in the collector`);
      if (app.proc.pid !== undefined) process.kill(-app.proc.pid, 'SIGTERM');
    }
    const services = (await (await fetch(`${url}/api/services?window=5m`)).json()) as { service: string }[];
    assert.deepEqual(services.map((s) => s.service).sort(), ['shop-api', 'shop-worker'], 'the collector did not trace itself');
    assert.doesNotMatch(collector.output(), /\[tracekit\]/);
  });
});
