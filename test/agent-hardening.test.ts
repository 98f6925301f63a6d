/**
 * The agent against receivers that are down, refusing, slow or silent, and against library
 * layouts without `node_modules/<name>/`: scripts still end within the flush timeout, the
 * counters say what was delivered, refusals are said once, tracekit's own frames stay out of
 * recorded stacks, and libraries are found by their package.json name.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NODES, ROOT, get, startApp, type RunningApp } from './helpers/app';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { SERVER } from './helpers/traces';
import { redactQuery } from '../dist/instrumentations/redact';

interface Stats { spansExported: number; spansFailed: number; spansDropped: number }

/** A TCP server that accepts connections and reads them, never answering. */
async function silentServer(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** An HTTP server that answers every request after `delayMs`. */
async function slowServer(delayMs: number): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end(), delayMs).unref();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, close: () => { server.closeAllConnections(); server.close(); } };
}

async function closedPort(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** Runs fixtures/short-script.cjs to its end; returns how long it lived after its last line, and its counters. */
async function runScript(endpoint: string, env: Record<string, string> = {}, node = process.execPath): Promise<{ lingerMs: number; stats: Stats; stderr: string; code: number | null }> {
  const app = await startApp('short-script.cjs', { noWait: true, node, env: { TRACEKIT_ENDPOINT: endpoint, TRACEKIT_FLUSH_TIMEOUT: '1000', ...env } });
  let lastSeen = 0;
  app.proc.stdout?.on('data', () => {
    if (lastSeen === 0 && app.stdout().includes('LAST ')) lastSeen = Date.now();
  });
  const killer = setTimeout(() => app.proc.kill('SIGKILL'), 60_000);
  const exit = await app.exited;
  clearTimeout(killer);
  const exitedAt = Date.now();
  const line = /EXIT \d+ (.*)/.exec(app.stdout());
  assert.ok(line, `the script ran to its end\nstdout: ${app.stdout()}\nstderr: ${app.stderr()}`);
  return { lingerMs: exitedAt - lastSeen, stats: JSON.parse(line[1]) as Stats, stderr: app.stderr(), code: exit.code };
}

describe('short scripts end within the flush timeout, whatever the receiver does', () => {
  it('a healthy receiver gets every span, and the counters say so', async () => {
    const r = await new OtlpReceiver().start();
    try {
      const run = await runScript(r.url);
      assert.equal(run.code, 0);
      assert.equal(r.spans.length, 40, '20 server and 20 client spans');
      assert.equal(run.stats.spansExported, 40);
      assert.equal(run.stats.spansFailed, 0);
    } finally {
      await r.stop();
    }
  });

  for (const { name, bin } of NODES) {
    it(`a receiver that accepts and never answers, on ${name}: the script ends about a flush timeout after its last line, nothing counted as exported`, { timeout: 90_000 }, async () => {
      const silent = await silentServer();
      try {
        const run = await runScript(silent.url, {}, bin);
        assert.equal(run.code, 0);
        // Before the fix such a script was still running 85 s after its last line.
        assert.ok(run.lingerMs < 6000, `ended ${run.lingerMs} ms after its last line`);
        assert.equal(run.stats.spansExported, 0, 'nothing the receiver did not accept counts as exported');
      } finally {
        silent.close();
      }
    });
  }

  for (const [what, make] of [
    ['down', async () => ({ url: await closedPort(), close: () => undefined })],
    ['answering 503', async () => {
      const r = await new OtlpReceiver().start();
      r.respondWith = { status: 503, headers: { 'retry-after': '1' } };
      return { url: r.url, close: () => void r.stop() };
    }],
    ['answering after 30 s', () => slowServer(30_000)],
  ] as const) {
    it(`a receiver ${what}: the script ends within the flush timeout and nothing counts as exported`, { timeout: 90_000 }, async () => {
      const receiver = await make();
      try {
        const run = await runScript(receiver.url);
        assert.equal(run.code, 0);
        assert.ok(run.lingerMs < 6000, `ended ${run.lingerMs} ms after its last line`);
        assert.equal(run.stats.spansExported, 0);
        assert.ok(run.stats.spansFailed > 0, JSON.stringify(run.stats));
      } finally {
        receiver.close();
      }
    });
  }

  it('says once that spans are being dropped when the receiver keeps answering 503', { timeout: 90_000 }, async () => {
    const r = await new OtlpReceiver().start();
    r.respondWith = { status: 503 };
    try {
      const run = await runScript(r.url, { REQUESTS: '1500', PAUSE_MS: '0', TRACEKIT_MAX_QUEUE_SIZE: '50', OTEL_EXPORTER_OTLP_TIMEOUT: '300' });
      assert.ok(run.stats.spansDropped > 0, JSON.stringify(run.stats));
      const lines = run.stderr.split('\n').filter((l) => l.includes('spans are being dropped'));
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], /HTTP 503/);
    } finally {
      await r.stop();
    }
  });
});

describe("tracekit's own frames", () => {
  let r: OtlpReceiver;
  let app: RunningApp;
  before(async () => {
    r = await new OtlpReceiver().start();
    app = await startApp('express-app.cjs', { env: { TRACEKIT_ENDPOINT: r.url } });
  });
  after(async () => {
    await app.stop();
    await r.stop();
  });

  it('are left out of the recorded stack; the app still sees its own error unchanged', async () => {
    const res = await get(`${app.url}/error`);
    assert.equal(res.status, 500);
    assert.equal(JSON.parse(res.body).error, 'boom in handler');
    await r.waitFor((x) => x.spans.some((s) => s.kind === SERVER && s.attributes['url.path'] === '/error'));
    const events = r.spans.flatMap((s) => s.events).filter((e) => e.name === 'exception');
    assert.ok(events.length > 0);
    for (const e of events) {
      const stack = String(e.attributes['exception.stacktrace']);
      assert.match(stack, /at failing \(.*express-routes\.cjs:\d+:\d+\)/);
      assert.ok(!stack.includes(join(ROOT, 'dist')), `no tracekit frame in:\n${stack}`);
      assert.match(stack, /node_modules\/router\//, 'library frames stay');
    }
  });
});

describe('libraries outside node_modules/<name>/ are recognised by their package.json name', () => {
  // Under the project root, so express 4's own dependencies resolve as usual from node_modules.
  const layouts = join(ROOT, 'dist-test', 'layouts');
  const express4 = join(ROOT, 'node_modules', 'express4');
  before(() => {
    rmSync(layouts, { recursive: true, force: true });
    // A workspace: app/node_modules/express is a symlink to packages/express, whose real path
    // holds no node_modules folder.
    mkdirSync(join(layouts, 'workspace', 'app', 'node_modules'), { recursive: true });
    cpSync(express4, join(layouts, 'workspace', 'packages', 'express'), { recursive: true });
    symlinkSync(join(layouts, 'workspace', 'packages', 'express'), join(layouts, 'workspace', 'app', 'node_modules', 'express'), 'dir');
    // A vendored copy.
    cpSync(express4, join(layouts, 'vendor', 'express'), { recursive: true });
    // Plug'n'Play style: a resolver maps `express` to a store folder, as .pnp.cjs does.
    cpSync(express4, join(layouts, 'pnp', '.store', 'express-npm-4.22.3'), { recursive: true });
    writeFileSync(join(layouts, 'pnp', 'pnp-like.cjs'), [
      "'use strict';",
      "const Module = require('node:module');",
      "const path = require('node:path');",
      "const store = path.join(__dirname, '.store', 'express-npm-4.22.3');",
      'const resolve = Module._resolveFilename;',
      'Module._resolveFilename = function (request, parent, ...rest) {',
      "  if (request === 'express') request = store;",
      "  else if (request.startsWith('express/')) request = path.join(store, request.slice(8));",
      '  return resolve.call(this, request, parent, ...rest);',
      '};',
    ].join('\n'));
  });
  after(() => rmSync(layouts, { recursive: true, force: true }));

  for (const [layout, options] of [
    ['a workspace symlink', { env: { EXPRESS_DIR: join(layouts, 'workspace', 'app', 'node_modules', 'express') } }],
    ['a vendored copy', { env: { EXPRESS_DIR: join(layouts, 'vendor', 'express') } }],
    ["a Plug'n'Play-style store", { nodeFlags: ['--require', join(layouts, 'pnp', 'pnp-like.cjs')] }],
  ] as const) {
    it(`express 4 from ${layout} is patched: routes name the request span`, async () => {
      const r = await new OtlpReceiver().start();
      const app = await startApp('express-app.cjs', { env: { TRACEKIT_ENDPOINT: r.url, ...('env' in options ? options.env : {}) }, nodeFlags: 'nodeFlags' in options ? [...options.nodeFlags] : [] });
      try {
        assert.equal((await get(`${app.url}/users/7`)).status, 200);
        await r.waitFor((x) => x.spans.some((s) => s.kind === SERVER));
        const server = r.spans.find((s) => s.kind === SERVER);
        assert.equal(server?.attributes['http.route'], '/users/:id');
        assert.equal(server?.name, 'GET /users/:id');
        assert.ok(r.spans.some((s) => s.name === 'handler getUser'), 'the handler span of the patched layer');
      } finally {
        await app.stop();
        await r.stop();
      }
    });
  }
});

describe('query-string redaction', () => {
  it('redacts OAuth codes, pw and PKCE verifiers, and leaves look-alike names readable', () => {
    assert.equal(redactQuery('code=4/0AbCd&state=xyz&pw=hunter2&code_verifier=abc&country_code=de&pwa=1'), 'code=REDACTED&state=xyz&pw=REDACTED&code_verifier=REDACTED&country_code=de&pwa=1');
  });
});
