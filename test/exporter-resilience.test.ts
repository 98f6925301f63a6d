// The exporter under a receiver that is down, slow to accept, or rejecting: the app keeps
// serving, memory stays bounded, drops are counted, and retries happen only where the
// OTLP spec allows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { get, startApp } from './helpers/app';
import { send, setFinalFlush } from '../dist/exporter/send';
import type { ExportTarget } from '../dist/agent/config';

/** Sends `total` GETs over `concurrency` keep-alive connections; returns the status counts. */
async function load(url: string, total: number, concurrency = 32): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      http
        .get(`${url}/r${next++ % 1000}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        })
        .on('error', reject);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one();
    }),
  );
  agent.destroy();
  return statuses;
}

async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

test('receiver down for the whole run: 50k requests served, RSS bounded, drops counted', { timeout: 180_000 }, async () => {
  const app = await startApp('client-app.mjs', { env: { TRACEKIT_ENDPOINT: await closedPortUrl(), TRACEKIT_SCHEDULE_DELAY: '200' } });
  try {
    const first = await load(app.url, 10_000);
    assert.deepEqual([...first.keys()], [200]);
    const rss10k = (JSON.parse((await get(`${app.url}/introspect`)).body) as { rss: number }).rss;
    const rest = await load(app.url, 40_000);
    assert.deepEqual([...rest.entries()], [[200, 40_000]], 'every request answered 200');
    const rss50k = (JSON.parse((await get(`${app.url}/introspect`)).body) as { rss: number }).rss;
    const stats = JSON.parse((await get(`${app.url}/stats`)).body) as Record<string, number>;
    const growthMb = (rss50k - rss10k) / 1e6;
    console.log(`RSS after 10k: ${(rss10k / 1e6).toFixed(1)} MB, after 50k: ${(rss50k / 1e6).toFixed(1)} MB; stats ${JSON.stringify(stats)}`);
    assert.ok(growthMb < 40, `RSS grew ${growthMb.toFixed(1)} MB between 10k and 50k requests`);
    assert.equal(stats.spansExported, 0);
    assert.ok(stats.spansDropped > 0, 'a full buffer drops and counts');
    assert.ok(stats.spansDropped + stats.spansFailed + stats.spansQueued >= 50_000, 'every span is accounted for');
  } finally {
    await app.stop();
  }
});

test('receiver down at exit: the final flush makes one attempt per export and does not wait out its deadline', async () => {
  // A receiver that accepts each connection and closes it at once: every export attempt is a
  // network error, and each attempt is one connection counted here.
  let connections = 0;
  const refuser = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(refuser.address() as net.AddressInfo).port}`;
  const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: endpoint, TRACEKIT_METRICS_INTERVAL: '600000' } });
  try {
    assert.equal((await get(`${app.url}/one`)).body, 'plain');
    // The span's batch (100 ms schedule delay) has failed once and is waiting to retry.
    for (let i = 0; i < 200 && connections === 0; i++) await new Promise((res) => setTimeout(res, 25));
    assert.ok(connections > 0, 'the batch was tried');
    const before = connections;
    const exit = await app.stop('SIGTERM');
    assert.deepEqual(exit, { code: null, signal: 'SIGTERM' }, 'it ends as it would without tracekit');
    // The final flush sends the metrics once; the batch waiting to retry gives up. Retrying
    // network errors here made several more attempts and held the exit for the whole deadline.
    assert.ok(connections - before <= 2, `${connections - before} export attempts after SIGTERM`);
    assert.doesNotMatch(app.stderr(), /final flush did not finish/);
  } finally {
    await app.stop();
    await new Promise<void>((r) => refuser.close(() => r()));
  }
});

test('send: a network error is retried, except while a final flush runs, and retried again after it', async () => {
  const url = `${await closedPortUrl()}/v1/traces`;
  const target: ExportTarget = { tracesUrl: url, metricsUrl: url, logsUrl: url, headers: {}, protocol: 'http/protobuf', compression: 'none', timeoutMs: 1500 };
  const before = await send(target, url, Buffer.from([0]), false);
  assert.equal(before.ok, false);
  assert.ok(before.attempts > 1, `retried before the final flush (${before.attempts} attempts)`);
  setFinalFlush(true);
  try {
    const during = await send(target, url, Buffer.from([0]), false);
    assert.deepEqual([during.ok, during.status, during.attempts], [false, 0, 1], 'one attempt during the final flush');
  } finally {
    setFinalFlush(false);
  }
  const after = await send(target, url, Buffer.from([0]), false);
  assert.ok(after.attempts > 1, `retried again once the final flush is over (${after.attempts} attempts)`);
});

test('send: a request lost on a kept-alive connection the receiver dropped is sent again at once on a new one, even in a final flush', async () => {
  // A raw receiver: on each connection it answers the first request and keeps the connection
  // open, then resets it when a second request arrives on it, without answering.
  const served: number[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const id = ++connections;
    let requests = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      requests++;
      if (requests === 1) {
        served.push(id);
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n');
      } else {
        socket.resetAndDestroy();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/traces`;
  const target: ExportTarget = { tracesUrl: url, metricsUrl: url, logsUrl: url, headers: {}, protocol: 'http/protobuf', compression: 'none', timeoutMs: 3000 };
  try {
    const first = await send(target, url, Buffer.from([0]), false);
    assert.deepEqual([first.ok, first.attempts], [true, 1]);
    setFinalFlush(true);
    let second;
    try {
      second = await send(target, url, Buffer.from([0]), false);
    } finally {
      setFinalFlush(false);
    }
    assert.equal(second.ok, true, `sent again on a new connection (${JSON.stringify(second)})`);
    assert.equal(second.attempts, 2, 'one attempt lost with the old connection, one on the new');
    assert.deepEqual(served, [1, 2], 'answered once on each of two connections');
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

test('send: a receiver that streams its answer without end gets the connection dropped after 64 KiB, and the export counts as sent', async () => {
  let streamed = 0;
  let closed = false;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      const chunk = Buffer.alloc(16 * 1024, 0x41);
      const pump = (): void => {
        while (!res.destroyed) {
          streamed += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      res.on('close', () => (closed = true));
      pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/traces`;
  const target: ExportTarget = { tracesUrl: url, metricsUrl: url, logsUrl: url, headers: {}, protocol: 'http/protobuf', compression: 'none', timeoutMs: 4000 };
  try {
    const result = await send(target, url, Buffer.from([0]), false);
    // Without the cap the worker would keep reading until the export's timeout and count a failure.
    assert.deepEqual([result.ok, result.status, result.attempts, result.rejected], [true, 200, 1, 0], JSON.stringify(result));
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(closed, 'the receiver saw its connection closed');
    assert.ok(streamed >= 64 * 1024, `the receiver wrote past the cap (${streamed} bytes)`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a batch is sent once it holds 2 MiB, long before its span count or the schedule delay', async () => {
  const r = await new OtlpReceiver().start();
  // Only the byte limit can send anything here: 2048 spans per batch, a 10-minute delay.
  const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SCHEDULE_DELAY: '600000', TRACEKIT_METRICS_INTERVAL: '600000' } });
  try {
    const longPath = `/big/${'x'.repeat(8000)}`; // about 8 KB of url.path per span
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    for (let i = 0; i < 400; i += 8) {
      await Promise.all(Array.from({ length: 8 }, () => new Promise<void>((resolve, reject) => http.get(`${app.url}${longPath}`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject))));
    }
    agent.destroy();
    await r.waitFor((x) => x.requests.some((q) => q.path === '/v1/traces'), 10000, 'a batch sealed by size');
    const first = r.requests.find((q) => q.path === '/v1/traces')!;
    assert.ok(first.bytes >= 2 * 1024 * 1024 && first.bytes < 2 * 1024 * 1024 + 64 * 1024, `the batch is just over 2 MiB (${first.bytes} bytes)`);
    assert.ok(r.spans.length >= 200 && r.spans.length < 400, `it holds part of the 400 spans (${r.spans.length})`);
  } finally {
    await app.stop();
    await r.stop();
  }
});

test('batches written into the buffers the worker handed back hold their own spans and nothing of the batch before', async () => {
  const r = await new OtlpReceiver().start();
  const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SCHEDULE_DELAY: '100', TRACEKIT_METRICS_INTERVAL: '600000', TRACEKIT_DISABLED_INSTRUMENTATIONS: 'console' } });
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const hit = (path: string): Promise<void> => new Promise((resolve, reject) => http.get(`${app.url}${path}`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
    // First a few big batches (about 8 KB of url.path a span), so the buffers handed back are large...
    const big = Array.from({ length: 3 }, (_, b) => Array.from({ length: 40 }, (_, i) => `/big/${b}-${i}/${'x'.repeat(8000)}`));
    for (const batch of big) {
      await Promise.all(batch.map(hit));
      await new Promise((res) => setTimeout(res, 400));
    }
    // ...then small batches, each written over the start of one of them.
    const small: string[] = [];
    for (let b = 0; b < 8; b++) {
      const batch = Array.from({ length: 3 }, (_, i) => `/small/${b}-${i}`);
      small.push(...batch);
      await Promise.all(batch.map(hit));
      await new Promise((res) => setTimeout(res, 300));
    }
    agent.destroy();
    const expected = [...big.flat(), ...small];
    await r.waitFor((x) => x.spans.length >= expected.length, 15000, 'every span');
    await new Promise((res) => setTimeout(res, 300));
    const seen = r.spans.map((s) => String(s.attributes['url.path']));
    assert.deepEqual([...seen].sort(), [...expected].sort(), 'each request arrives exactly once, in a batch the official protos decode');
    assert.ok(r.requests.filter((q) => q.path === '/v1/traces').length >= 11, 'the spans came in many batches');
  } finally {
    await app.stop();
    await r.stop();
  }
});

test('503 with Retry-After is retried until accepted; the spans then arrive once', async () => {
  const r = await new OtlpReceiver().start();
  r.script = [{ status: 503, headers: { 'retry-after': '0' } }, { status: 429, headers: { 'retry-after': '0' } }];
  // Console capture off: the app's LISTENING line would be a logs export taking one of the scripted answers.
  const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_METRICS_INTERVAL: '600000', TRACEKIT_DISABLED_INSTRUMENTATIONS: 'console' } });
  try {
    await get(`${app.url}/retried`);
    await r.waitFor((x) => x.spans.length >= 1, 10000, 'the retried batch');
    assert.equal(r.requests.filter((q) => q.path === '/v1/traces').length, 3, 'two refusals, one success');
    assert.equal(r.spans.length, 1);
  } finally {
    await app.stop();
    await r.stop();
  }
});

test('400 is not retried: one attempt, the batch counted as failed, the app unaffected', async () => {
  const r = await new OtlpReceiver().start();
  r.respondWith = { status: 400 };
  // Console capture off: only the span export's failure is under test here.
  const app = await startApp('client-app.mjs', { env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_METRICS_INTERVAL: '600000', TRACEKIT_DISABLED_INSTRUMENTATIONS: 'console' } });
  try {
    assert.equal((await get(`${app.url}/one`)).body, 'ok');
    await r.waitFor((x) => x.requests.some((q) => q.path === '/v1/traces'), 10000, 'the first export');
    await new Promise((res) => setTimeout(res, 1000));
    const stats = JSON.parse((await get(`${app.url}/stats`)).body) as Record<string, number>;
    assert.equal(r.requests.filter((q) => q.path === '/v1/traces').length, 1, 'exactly one attempt');
    assert.equal(stats.spansFailed, 1);
    assert.equal(stats.batchesFailed, 1);
    assert.match(app.stderr(), /could not export spans .*HTTP 400/);
    assert.equal(app.stderr().split('\n').filter((l) => l.includes('could not export')).length, 1, 'warned once');
  } finally {
    await app.stop();
    await r.stop();
  }
});
