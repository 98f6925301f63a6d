// How the process ends must not change under tracekit: uncaught exceptions, unhandled
// rejections and signals end it the same way, after tracekit has recorded and flushed.
import http from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { NODES, get, startApp } from './helpers/app';
import { SERVER } from './helpers/traces';

const withoutTracekitLines = (s: string): string => s.split('\n').filter((l) => !l.startsWith('[tracekit]')).join('\n');
const firstErrorLine = (s: string): string | undefined => withoutTracekitLines(s).split('\n').find((l) => /^\w*Error/.test(l));

async function crash(path: string, preload: 'import' | 'none', receiverUrl: string, node: string) {
  const app = await startApp('crash-app.cjs', { node, preload, env: { TRACEKIT_ENDPOINT: receiverUrl, TRACEKIT_SCHEDULE_DELAY: '60000' } });
  assert.equal((await get(`${app.url}/fine`)).body, 'ok');
  await get(`${app.url}${path}`).catch(() => undefined);
  const exit = await app.exited;
  return { exit, stderr: app.stderr() };
}

/** One GET on a keep-alive agent; resolves with the body once the whole response has arrived. */
function keepAliveGet(port: number, path: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// Exit paths and signal handling differ between Node lines: every case runs on each Node the suite has.
for (const { name: nodeName, bin: node } of NODES) {
  for (const [path, message, origin] of [
    ['/throw-later', 'Error: uncaught boom', 'uncaughtException'],
    ['/reject', 'RangeError: rejected boom', 'unhandledRejection'],
  ] as const) {
    test(`${origin} on ${nodeName}: recorded and flushed, then the process ends as without tracekit`, async () => {
      const r = await new OtlpReceiver().start();
      try {
        const plain = await crash(path, 'none', r.url, node);
        const traced = await crash(path, 'import', r.url, node);
        assert.deepEqual(traced.exit, plain.exit, 'same exit code and signal');
        assert.equal(plain.exit.code, 1);
        assert.equal(firstErrorLine(traced.stderr), message);
        assert.equal(firstErrorLine(traced.stderr), firstErrorLine(plain.stderr));
        assert.equal(traced.stderr.split('\n').filter((l) => l.startsWith('[tracekit]')).length, 0, 'tracekit printed nothing');

        // The schedule delay is a minute: everything below arrived through the final flush.
        const fatal = r.spans.find((s) => s.name === origin)!;
        assert.ok(fatal, `a span named ${origin}`);
        assert.equal(fatal.status.code, 2);
        assert.equal(fatal.events[0].attributes['exception.message'], message.split(': ')[1]);
        assert.match(String(fatal.events[0].attributes['exception.stacktrace']), /crash-app\.cjs/);
        const interrupted = r.spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === path)!;
        assert.ok(interrupted, 'the interrupted request span was closed and sent');
        assert.equal(interrupted.status.code, 2);
        if (origin === 'uncaughtException') assert.equal(fatal.traceId, interrupted.traceId, 'the error is in the trace of the request that caused it');
        assert.ok(r.spans.some((s) => s.kind === SERVER && s.attributes['url.path'] === '/fine'), 'earlier spans were flushed');
        assert.ok(r.requestCount() >= 1, 'final metrics were flushed');
      } finally {
        await r.stop();
      }
    });
  }

  test(`SIGTERM with no handler in the app on ${nodeName}: spans flushed, process dies by SIGTERM as without tracekit`, async () => {
    const r = await new OtlpReceiver().start();
    try {
      const plain = await startApp('plain-http.cjs', { node, preload: 'none' });
      await plain.stop('SIGTERM');
      const app = await startApp('plain-http.cjs', { node, env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SCHEDULE_DELAY: '60000' } });
      await Promise.all(Array.from({ length: 200 }, (_, i) => get(`${app.url}/n${i}`)));
      const exit = await app.stop('SIGTERM');
      assert.deepEqual(exit, { code: null, signal: 'SIGTERM' });
      assert.deepEqual(exit, await plain.exited);
      const paths = new Set(r.spans.filter((s) => s.kind === SERVER).map((s) => s.attributes['url.path']));
      assert.equal(paths.size, 200, 'every completed request has its span');
    } finally {
      await r.stop();
    }
  });

  test(`SIGTERM under load on ${nodeName}: every request answered before the signal has its span`, async () => {
    const r = await new OtlpReceiver().start();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const app = await startApp('plain-http.cjs', { node, env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SCHEDULE_DELAY: '60000' } });
      const answered: string[] = [];
      let next = 0;
      // 16 clients each send their next request as soon as the last is answered, until the
      // dying server resets or refuses them.
      const client = async (): Promise<void> => {
        for (;;) {
          const path = `/load${next++}`;
          try {
            if ((await keepAliveGet(app.port, path, agent)) === 'plain') answered.push(path);
          } catch {
            return;
          }
        }
      };
      let ended = 0;
      const clients = Array.from({ length: 16 }, () => client().finally(() => ended++));
      while (answered.length < 1500 && ended === 0) await new Promise((res) => setTimeout(res, 20));
      assert.equal(ended, 0, `no client failed before the signal (${answered.length} answered)`);
      app.proc.kill('SIGTERM');
      const exit = await app.exited;
      await Promise.all(clients);
      assert.deepEqual(exit, { code: null, signal: 'SIGTERM' });
      assert.ok(next > answered.length, 'requests were still being sent when the signal came');
      const spans = new Set(r.spans.filter((s) => s.kind === SERVER).map((s) => s.attributes['url.path']));
      assert.deepEqual(
        answered.filter((p) => !spans.has(p)),
        [],
        `every one of the ${answered.length} answered requests has its span`,
      );
    } finally {
      agent.destroy();
      await r.stop();
    }
  });

  test(`a process that ends on its own on ${nodeName}: flushed as it exits, and tracekit does not keep it alive`, async () => {
    const r = await new OtlpReceiver().start();
    try {
      const app = await startApp('short-lived.cjs', { node, noWait: true, env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SCHEDULE_DELAY: '60000', TRACEKIT_METRICS_INTERVAL: '600000' } });
      const exit = await app.exited;
      assert.deepEqual(exit, { code: 0, signal: null });
      // With a one-minute schedule delay and a ten-minute metrics interval, only the exit flush sends.
      assert.deepEqual(r.spans.filter((s) => s.kind === SERVER).map((s) => s.attributes['url.path']), ['/only']);
      assert.equal(r.requestCount(), 1);
      assert.equal(app.stderr(), '');
    } finally {
      await r.stop();
    }
  });
}
