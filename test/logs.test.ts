/**
 * Logs in the trace: real express apps (ES module and CommonJS) under the preload log through
 * console, pino and winston inside requests, against a real collector. Records arrive with the
 * right severity, body and fields, secrets redacted, and the ids of the request's span; the
 * app's stdout is the same bytes with and without tracekit; TRACEKIT_LOGS_INJECTION adds the ids
 * to the lines pino and winston write; a flood of records is bounded and counted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NODES, ROOT, get, startApp, type AppOptions } from './helpers/app';
import { eventually, startCollectorProcess, type CollectorProcess } from './helpers/collector';

interface Log { timeMs: number; service: string; severity: number; severityText: string; body: string; traceId: string | null; spanId: string | null; attributes: Record<string, unknown> }
interface TraceSummary { traceId: string; route: string | null }
interface Trace { spans: { spanId: string; name: string }[]; logs: Log[] }

const versions = (name: string, v: string): string => join(ROOT, 'test', 'versions', `${name}-${v}`, 'node_modules', name);
const PATHS = ['/console', '/pino', '/winston'];
/** The newest pino and winston, for the tests that are not about versions. */
const NEWEST = { PINO_DIR: versions('pino', '10.4.0'), WINSTON_DIR: versions('winston', '3.19.0') };

let collector: CollectorProcess;

/** The records of one `/api/logs` page. */
async function logsOf(query: string): Promise<Log[]> {
  return (await collector.api<{ logs: Log[] }>(`logs?${query}`)).logs;
}
before(async () => {
  collector = await startCollectorProcess();
});
after(async () => {
  await collector.stop();
});

/** Runs the logging app, requests each path once, stops it; returns its stdout without the port line. */
async function run(entry: string, options: AppOptions, paths = PATHS): Promise<{ stdout: string; stderr: string }> {
  const app = await startApp(join('logs', entry), options);
  try {
    for (const p of paths) assert.equal((await get(app.url + p)).status, 200, p);
  } finally {
    await app.stop();
  }
  return { stdout: app.stdout().replace(/^LISTENING \d+\n/m, ''), stderr: app.stderr() };
}

const cases: { entry: string; pino: string; winston: string; node: { name: string; bin: string } }[] = [];
for (const entry of ['app.cjs', 'app.mjs']) {
  cases.push({ entry, pino: '9.0.0', winston: '3.8.0', node: NODES[0] });
  cases.push({ entry, pino: '10.4.0', winston: '3.19.0', node: NODES[0] });
}
for (const node of NODES.slice(1)) cases.push({ entry: 'app.mjs', pino: '10.4.0', winston: '3.19.0', node });

describe('console, pino and winston records reach the collector with the request\'s ids', () => {
  for (const c of cases) {
    it(`${c.entry}, pino ${c.pino}, winston ${c.winston}, ${c.node.name}`, async () => {
      const service = `logs-${c.entry}-${c.pino}-${c.winston}-${c.node.name}`;
      const env = { PINO_DIR: versions('pino', c.pino), WINSTON_DIR: versions('winston', c.winston), TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service };
      const without = await run(c.entry, { node: c.node.bin, env, preload: 'none' });
      const withAgent = await run(c.entry, { node: c.node.bin, env });
      // The app's own output, byte for byte.
      assert.equal(withAgent.stdout, without.stdout);
      assert.equal(withAgent.stderr, without.stderr);
      assert.match(without.stdout, /"password":"hunter2"/, 'the app prints its own secret: tracekit redacts only its copy');

      const logs = await eventually(async () => {
        const l = await logsOf(`service=${encodeURIComponent(service)}&window=5m`);
        return l.length >= 7 ? l : undefined;
      }, `the records of ${service}`);
      assert.equal(logs.length, 7, JSON.stringify(logs.map((l) => l.body)));
      const by = (body: string): Log => {
        const l = logs.find((x) => x.body === body);
        assert.ok(l, `a record "${body}"`);
        return l;
      };
      const expect: [string, number, string, string][] = [
        ['console says hello to 3 people', 9, 'INFO', 'console'],
        ['careful: {"stock":1}', 13, 'WARN', 'console'],
        ['debug detail', 5, 'DEBUG', 'console'],
        ['order placed', 9, 'INFO', 'pino'],
        ['low stock', 13, 'WARN', 'pino'],
        ['payment ok', 9, 'INFO', 'winston'],
        ['card declined', 17, 'ERROR', 'winston'],
      ];
      for (const [body, severity, text, source] of expect) {
        const l = by(body);
        assert.equal(l.severity, severity, body);
        assert.equal(l.severityText, text, body);
        assert.equal(l.attributes['log.source'], source, body);
      }
      // Structured fields become attributes; secrets are redacted in the export only.
      assert.deepEqual(by('order placed').attributes, { 'log.source': 'pino', component: 'orders', orderId: 42, user: '{"id":7}', password: 'REDACTED' });
      assert.deepEqual(by('payment ok').attributes, { 'log.source': 'winston', amount: 12.5, apiKey: 'REDACTED' });

      // Every record carries the ids of the request that wrote it: its trace, and a span of it.
      const traces = await collector.api<TraceSummary[]>(`traces?service=${encodeURIComponent(service)}&window=5m`);
      for (const [path, bodies] of [['/console', ['debug detail']], ['/pino', ['order placed', 'low stock']], ['/winston', ['payment ok', 'card declined']]] as const) {
        const t = traces.find((x) => x.route === path);
        assert.ok(t, `the trace of ${path}`);
        const detail = await collector.api<Trace>(`traces/${t.traceId}`);
        for (const body of bodies) {
          const l = by(body);
          assert.equal(l.traceId, t.traceId, `${body} is in the trace of ${path}`);
          const span = detail.spans.find((s) => s.spanId === l.spanId);
          assert.ok(span, `${body}'s span is one of the trace's`);
          assert.match(span.name, /^handler /, 'the route handler\'s span was active');
          assert.ok(detail.logs.some((x) => x.body === body), `the trace detail lists ${body}`);
        }
      }
    });
  }
});

describe('injection, bounds and switches', () => {
  it('TRACEKIT_LOGS_INJECTION adds trace_id and span_id to the lines pino and winston write', async () => {
    const service = 'logs-injection';
    const env = { PINO_DIR: versions('pino', '10.4.0'), WINSTON_DIR: versions('winston', '3.19.0'), TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_LOGS_INJECTION: 'true' };
    const { stdout } = await run('app.cjs', { env });
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const logs = await eventually(async () => {
      const l = await logsOf(`service=${service}&window=5m`);
      return l.length >= 7 ? l : undefined;
    }, 'the injected records');
    for (const [field, body] of [['msg', 'order placed'], ['msg', 'low stock'], ['message', 'payment ok'], ['message', 'card declined']]) {
      const line = lines.find((l) => l[field] === body);
      assert.ok(line, `the line "${body}"`);
      const record = logs.find((l) => l.body === body);
      assert.ok(record);
      assert.equal(line.trace_id, record.traceId, body);
      assert.equal(line.span_id, record.spanId, body);
      assert.match(String(line.trace_id), /^[0-9a-f]{32}$/);
    }
    // Without the setting nothing is added (the byte-for-byte test above covers it too).
    const plain = await run('app.cjs', { env: { ...env, TRACEKIT_LOGS_INJECTION: undefined, TRACEKIT_SERVICE_NAME: 'logs-no-injection' } }, ['/pino']);
    assert.doesNotMatch(plain.stdout, /trace_id/);
  });

  it('a flood is bounded: records past the buffer are dropped and counted, a long body is cut, the app answers', async () => {
    const service = 'logs-flood';
    const app = await startApp(join('logs', 'app.cjs'), { env: { ...NEWEST, TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_MAX_LOG_QUEUE_SIZE: '50', TRACEKIT_SCHEDULE_DELAY: '60000' } });
    try {
      assert.equal((await get(`${app.url}/flood?n=500`)).status, 200);
      const stats = JSON.parse((await get(`${app.url}/stats`)).body) as { logsQueued: number; logsDropped: number };
      assert.equal(stats.logsQueued, 50, 'the buffer holds 50');
      assert.equal(stats.logsDropped, 502 - 50, 'the rest were dropped and counted');
      assert.equal(app.stdout().split('\n').filter((l) => l.startsWith('flood line')).length, 500, 'the app printed every line');
      assert.equal(app.stderr().match(/log records are being dropped/g)?.length, 1, 'said once');
    } finally {
      await app.stop();
    }
    // The long line, alone in a buffer with room.
    const long = await startApp(join('logs', 'app.cjs'), { env: { ...NEWEST, TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: 'logs-long' } });
    try {
      await get(`${long.url}/flood?n=0`);
    } finally {
      await long.stop();
    }
    const [record] = await eventually(async () => {
      const l = await logsOf('service=logs-long&window=5m&q=long');
      return l.length > 0 ? l : undefined;
    }, 'the long record');
    assert.equal(record.body.length, 8192 + '...[truncated 11813 chars]'.length);
    assert.ok(record.body.endsWith('...[truncated 11813 chars]'));
    // Fields bigger than the limit are cut as they are written; a circular one stops at the depth limit.
    const [big] = await logsOf('service=logs-long&window=5m&q=big%20fields');
    assert.ok(big, 'the big-fields record');
    const bigText = String(big.attributes.big);
    assert.ok(bigText.startsWith('[{"i":0},{"i":1},') && bigText.length <= 2048 + 40, bigText.slice(-60));
    assert.equal(big.attributes.loop, '{"name":"loop","self":{"name":"loop","self":{"name":"loop","self":{"name":"loop","self":{...}}}}}');
  });

  it('over OTLP/JSON the records arrive the same, with their ids', async () => {
    const service = 'logs-json';
    await run('app.cjs', { env: { ...NEWEST, TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    const logs = await eventually(async () => {
      const l = await logsOf(`service=${service}&window=5m`);
      return l.length >= 7 ? l : undefined;
    }, 'the JSON-exported records');
    const placed = logs.find((l) => l.body === 'order placed') as Log;
    assert.equal(placed.attributes.password, 'REDACTED');
    const [t] = await collector.api<TraceSummary[]>(`traces?service=${service}&window=5m&route=/pino`);
    assert.equal(placed.traceId, t.traceId);
  });

  it('each logger can be switched off by name', async () => {
    const service = 'logs-switched';
    const env = { PINO_DIR: versions('pino', '10.4.0'), WINSTON_DIR: versions('winston', '3.19.0'), TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_DISABLED_INSTRUMENTATIONS: 'console,winston' };
    await run('app.cjs', { env });
    const logs = await eventually(async () => {
      const l = await logsOf(`service=${service}&window=5m`);
      return l.length >= 2 ? l : undefined;
    }, 'the pino records');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual((await logsOf(`service=${service}&window=5m`)).map((l) => l.attributes['log.source']), ['pino', 'pino']);
  });

  it('the logs API filters by severity, text and trace, and refuses a bad filter with a 400', async () => {
    const all = await logsOf('window=5m&limit=1000');
    assert.ok(all.length > 0);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].timeMs >= all[i].timeMs, 'newest first');
    const errors = await logsOf('window=5m&severity=error&limit=1000');
    assert.deepEqual(errors.map((l) => l.body), all.filter((l) => l.severity >= 17).map((l) => l.body));
    // Text is read newest first in slices; on a small store the page is complete and equals a filter of everything.
    const page = await collector.api<{ logs: Log[]; complete: boolean; searchedFromMs: number }>('logs?window=5m&q=STOCK&limit=1000');
    assert.equal(page.complete, true);
    const text = page.logs;
    assert.ok(text.length > 0);
    assert.deepEqual(text.map((l) => l.body), all.filter((l) => /stock/i.test(l.body) || /stock/i.test(JSON.stringify(l.attributes))).map((l) => l.body));
    const one = all.find((l) => l.traceId !== null) as Log;
    const byTrace = await logsOf(`window=5m&traceId=${one.traceId}`);
    assert.ok(byTrace.length > 0 && byTrace.every((l) => l.traceId === one.traceId));
    for (const bad of ['severity=loud', 'traceId=xyz', 'spanId=12', `q=${'a'.repeat(300)}`, 'limit=0']) {
      const res = await fetch(`${collector.url}/api/logs?${bad}`);
      assert.equal(res.status, 400, bad);
    }
  });
});
