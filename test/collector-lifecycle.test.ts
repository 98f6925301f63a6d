/**
 * The collector's life against slow clients and a full disk: SIGTERM while a client drips a
 * body or while queries and writes run, connections that never send a request, more connections than the cap, and a store
 * that runs out of space, which is said on stderr and kept in /api/status.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES } from './helpers/app';
import { startCollectorProcess } from './helpers/collector';
import { encode, randomHex, TraceRequest, traceRequestObject } from './helpers/official-otlp';

/** Connects; gives up (destroying the socket) after 3 s, so a refused or stalled connect never hangs the test. */
function open(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => {
      clearTimeout(timer);
      resolve(s);
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('connect timed out'));
    }, 3000);
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Resolves when the socket closes, or after `limitMs` (then the caller checks `destroyed`). */
function closed(s: Socket, limitMs = 20_000): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve();
    const timer = setTimeout(resolve, limitMs);
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('collector lifecycle', () => {
  it('exits on SIGTERM while a client drips a request body, after a bounded drain', { timeout: 60_000 }, async () => {
    const collector = await startCollectorProcess();
    const s = await open(collector.url);
    s.on('error', () => undefined);
    s.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n`);
    const drip = setInterval(() => s.write('x'), 1000);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const stoppedAt = Date.now();
      collector.proc.kill('SIGTERM');
      const exit = await collector.exited;
      const tookMs = Date.now() - stoppedAt;
      assert.equal(exit.code, 0);
      assert.match(collector.stdout(), /tracekit collector stopped/);
      // Before the fix it never exited; the drain is 5 s.
      assert.ok(tookMs < 20_000, `exited ${tookMs} ms after SIGTERM`);
    } finally {
      clearInterval(drip);
      s.destroy();
    }
  });

  it('closes its store under 40 running dashboard queries: each is answered or interrupted, and the process exits', { timeout: 120_000 }, async () => {
    const run = spawnSync(process.execPath, [join(FIXTURES, 'store-close.cjs')], { encoding: 'utf8', timeout: 90_000, killSignal: 'SIGKILL' });
    assert.equal(run.signal, null, `the fixture did not finish (deadlocked closing a connection under a query); stderr: ${run.stderr}`);
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { ended: string[]; late: string };
    assert.equal(out.ended.length, 40);
    for (const e of out.ended) assert.match(e, /^(answered|INTERRUPT Error: Interrupted!)$/);
    assert.equal(out.late, 'StoreClosedError', 'a query after close is refused with its own error');
  });

  it('exits promptly on SIGTERM while dashboard queries and writes are running, and keeps every acknowledged span', { timeout: 180_000 }, async () => {
    // Stopped in the middle of reads and writes, three times: the stop must neither hang nor
    // lose a span whose request was answered 200.
    const API = ['services', 'overview', 'series', 'routes', 'errors', 'outgoing', 'graph', 'service-map', 'queries', 'traces', 'status', 'logs', 'code', 'code/tree'];
    for (let round = 0; round < 3; round++) {
      const collector = await startCollectorProcess();
      let acknowledged = 0;
      let running = true;
      const writers = Array.from({ length: 3 }, async () => {
        while (running) {
          const spans = Array.from({ length: 1000 }, (_, i) => ({ name: `GET /r${i % 7}`, attributes: [{ key: 'http.route', value: { stringValue: `/r${i % 7}` } }] }));
          const body = new Uint8Array(encode(TraceRequest, traceRequestObject('stopping', spans)));
          const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body }).catch(() => undefined);
          await res?.arrayBuffer().catch(() => undefined);
          if (res?.status === 200) acknowledged += spans.length;
        }
      });
      const readers = Array.from({ length: 4 }, async (_, k) => {
        for (let i = k; running; i++) await fetch(`${collector.url}/api/${API[i % API.length]}`).then((r) => r.arrayBuffer()).catch(() => undefined);
      });
      try {
        await new Promise((r) => setTimeout(r, 800 + round * 300));
        const stoppedAt = Date.now();
        collector.proc.kill('SIGTERM');
        const exit = await Promise.race([collector.exited, new Promise<undefined>((r) => setTimeout(r, 30_000))]);
        assert.ok(exit !== undefined, `round ${round}: still running 30 s after SIGTERM; stderr: ${collector.stderr()}`);
        assert.equal(exit.code, 0, collector.stderr());
        assert.match(collector.stdout(), /tracekit collector stopped/);
        assert.doesNotMatch(collector.stderr(), /still waiting/);
        assert.ok(Date.now() - stoppedAt < 20_000);
      } finally {
        running = false;
        if (collector.proc.exitCode === null) collector.proc.kill('SIGKILL');
        await Promise.all([...writers, ...readers]);
      }
      assert.ok(acknowledged > 0, 'some writes were acknowledged before the stop');
      const reopened = await startCollectorProcess({ dbPath: collector.dbPath });
      try {
        const status = await reopened.api<{ stored: { spans: number } }>('status');
        assert.ok(status.stored.spans >= acknowledged, `round ${round}: ${status.stored.spans} spans stored, ${acknowledged} acknowledged`);
      } finally {
        await reopened.stop();
      }
    }
  });

  it('closes a connection that sends no request, and holds no more than the connection cap', { timeout: 90_000 }, async () => {
    const collector = await startCollectorProcess();
    const sockets: Socket[] = [];
    try {
      const idle = await open(collector.url);
      let endAt: number | undefined;
      idle.on('error', () => undefined);
      idle.once('end', () => (endAt = Date.now()));
      // The headers timeout (10 s) closes it.
      const openedAt = Date.now();
      await closed(idle);
      // Said in full on failure: it failed twice in CI (not closed within 20 s; the second time the
      // collector's status counted one connection, the status request's own), never here.
      if (!idle.destroyed) {
        const status = await collector.api('status').catch((e: unknown) => String(e));
        const end = endAt === undefined ? 'no end from the server' : `end after ${endAt - openedAt} ms`;
        assert.fail(`a silent connection was not closed (waited ${Date.now() - openedAt} ms; client: ${end}, readyState ${idle.readyState}; collector stderr: ${collector.stderr() || '(none)'}; status: ${JSON.stringify(status)})`);
      }

      // 1,100 connections at once: beyond 1,024 the server closes them as they arrive.
      for (let i = 0; i < 1100; i++) {
        const s = await open(collector.url).catch(() => undefined);
        if (s === undefined) continue;
        s.on('error', () => undefined);
        sockets.push(s);
      }
      await new Promise((r) => setTimeout(r, 500));
      const alive = sockets.filter((s) => !s.destroyed).length;
      assert.ok(alive <= 1024, `${alive} connections held`);
      for (const s of sockets) s.destroy();
      await Promise.all(sockets.map((s) => closed(s, 2000)));
      await new Promise((r) => setTimeout(r, 200));
      const status = await collector.api<{ connections: number }>('status');
      assert.ok(status.connections <= 2, `${status.connections} connections open after the clients left`);
    } finally {
      for (const s of sockets) s.destroy();
      await collector.stop();
    }
  });

  it('says once on stderr why a write failed when the disk is full, keeps the reason in /api/status, and keeps serving', { timeout: 90_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tracekit-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      rmSync(dir, { recursive: true, force: true });
      t.skip('cannot mount a small tmpfs here (needs root)');
      return;
    }
    try {
      const collector = await startCollectorProcess({ dbPath: join(dir, 'store.duckdb') });
      try {
        const filler = 'f'.repeat(30_000);
        let full = 0;
        for (let i = 0; i < 200 && full < 3; i++) {
          const spans = Array.from({ length: 20 }, () => ({ attributes: [{ key: 'payload', value: { stringValue: `${randomHex(16)}${filler}` } }] }));
          const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(encode(TraceRequest, traceRequestObject('filler', spans))) });
          await res.arrayBuffer();
          if (res.status === 503) full++;
          else assert.equal(res.status, 200);
        }
        assert.ok(full > 0, 'the disk filled up');
        const status = await collector.api<{ failedWrites: number; lastWriteFailure?: { reason: string }; ingest: { failedRequests: number; spans: number }; stored: { spans: number } }>('status');
        assert.ok(status.failedWrites >= full);
        assert.ok(status.ingest.failedRequests >= full);
        assert.equal(status.ingest.spans, status.stored.spans, 'ingest counts only the spans that were stored');
        assert.match(status.lastWriteFailure?.reason ?? '', /space|IO Error|write/i);
        const lines = collector.stderr().split('\n').filter((l) => l.includes('a write to the store failed'));
        assert.equal(lines.length, 1, collector.stderr());
        assert.match(lines[0], /told to retry \(503\)/);
        assert.equal((await fetch(`${collector.url}/api/services`)).status, 200, 'the API still answers');
      } finally {
        await collector.stop();
      }
    } finally {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
