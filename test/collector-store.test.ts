/**
 * The collector as a long-running program: data survives a restart, retention removes old
 * data, one file has one collector, the API key and host checks hold, and `tracekit start`
 * explains every bad option in one line with exit code 2.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { get, NODES, startApp } from './helpers/app';
import { eventually, runCli, startCollectorProcess, tempDbPath } from './helpers/collector';
import { encode, randomHex, TraceRequest, traceRequestObject } from './helpers/official-otlp';
import { MIGRATIONS } from '../dist/collector/store/duckdb/schema';

const PROTO = { 'content-type': 'application/x-protobuf' };

async function postSpans(url: string, service: string, spans: Parameters<typeof traceRequestObject>[1], headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array(encode(TraceRequest, traceRequestObject(service, spans))), headers: { ...PROTO, ...headers } });
  await res.arrayBuffer();
  return res.status;
}

describe('collector store lifecycle', () => {
  it('keeps data across a restart, and a second collector on the same file is refused', async () => {
    const dbPath = tempDbPath();
    const traceId = randomHex(16);
    const first = await startCollectorProcess({ dbPath });
    assert.equal(await postSpans(first.url, 'restart', [{ traceId }]), 200);

    const second = await runCli(['start', '--port', '0', '--db', dbPath]);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /already open in another tracekit collector \(pid \d+\)/);
    assert.equal(second.stderr.trim().split('\n').length, 1, 'one line');

    assert.deepEqual(await first.stop(), { code: 0, signal: null });
    const again = await startCollectorProcess({ dbPath });
    try {
      const t = await again.api<{ spans: unknown[] }>(`traces/${traceId}`);
      assert.equal(t.spans.length, 1);
    } finally {
      await again.stop();
    }
  });

  it('retention removes what is older than the window and keeps the rest', async () => {
    const collector = await startCollectorProcess({ args: ['--retention', '20s'] });
    try {
      const oldTrace = randomHex(16);
      const newTrace = randomHex(16);
      assert.equal(await postSpans(collector.url, 'retained', [{ traceId: oldTrace, startMs: Date.now() - 120_000 }, { traceId: newTrace }]), 200);
      await eventually(async () => ((await fetch(`${collector.url}/api/traces/${oldTrace}`)).status === 404 ? true : undefined), 'the old trace to be swept');
      assert.equal((await collector.api<{ spans: unknown[] }>(`traces/${newTrace}`)).spans.length, 1);
      const status = await collector.api<{ lastSweep: { removed: number } | undefined }>('status');
      assert.ok(status.lastSweep !== undefined);
    } finally {
      await collector.stop();
    }
  });

  it('migrates a file from an older schema: its query spans get their statement and row count, and the Queries view reads them', async () => {
    const dbPath = tempDbPath();
    const db = await DuckDBInstance.create(dbPath);
    const conn = await db.connect();
    // A file as tracekit left it at schema 4, with one query span stored then.
    await conn.run('CREATE TABLE tk_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    for (const step of MIGRATIONS.slice(0, 4)) await conn.run(step);
    await conn.run("INSERT INTO tk_meta VALUES ('schema_version', '4')");
    const startUs = BigInt(Date.now() - 30_000) * 1000n;
    const attributes = JSON.stringify({ 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM old_rows WHERE id = $1', 'db.response.returned_rows': 3 });
    await conn.run(`INSERT INTO spans (service, instance, trace_id, span_id, name, kind, start_us, duration_us, status, db_system, is_entry, scope, attributes)
      VALUES ('old', 'i', ?, ?, 'SELECT old_rows', 3, ?, 2000, 0, 'postgresql', false, 'pg', ?)`, [randomHex(16), randomHex(8), startUs, attributes]);
    conn.closeSync();
    db.closeSync();
    const collector = await startCollectorProcess({ dbPath });
    try {
      const queries = await collector.api<{ statement: string; calls: number; rowsPerCall: number; totalMs: number }[]>('queries?service=old&window=5m');
      assert.deepEqual(queries.map((q) => [q.statement, q.calls, q.rowsPerCall, q.totalMs]), [['SELECT * FROM old_rows WHERE id = $1', 1, 3, 2]]);
    } finally {
      await collector.stop();
    }
  });

  it('refuses a file written by a newer schema', async () => {
    const dbPath = tempDbPath();
    const db = await DuckDBInstance.create(dbPath);
    const conn = await db.connect();
    await conn.run("CREATE TABLE tk_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL); INSERT INTO tk_meta VALUES ('schema_version', '999')");
    conn.closeSync();
    db.closeSync();
    const res = await runCli(['start', '--port', '0', '--db', dbPath]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /schema version 999, newer than this tracekit understands/);
  });
});

describe('collector on every supported Node', () => {
  for (const node of NODES) {
    it(`${node.name}: starts, ingests, answers and stops cleanly`, async () => {
      const collector = await startCollectorProcess({ node: node.bin });
      const traceId = randomHex(16);
      assert.equal(await postSpans(collector.url, `on-${node.name}`, [{ traceId }]), 200);
      assert.equal((await collector.api<{ spans: unknown[] }>(`traces/${traceId}`)).spans.length, 1);
      assert.deepEqual(await collector.stop(), { code: 0, signal: null });
    });
  }
});

describe('collector access control', () => {
  it('with an API key, checks every ingest and API request, and accepts the agent configured with TRACEKIT_API_KEY', async () => {
    const collector = await startCollectorProcess({ args: ['--api-key', 's3cret-key'] });
    try {
      assert.equal(await postSpans(collector.url, 'keyed', [{}]), 401);
      assert.equal(await postSpans(collector.url, 'keyed', [{}], { 'x-api-key': 'wrong' }), 401);
      assert.equal(await postSpans(collector.url, 'keyed', [{}], { 'x-api-key': 's3cret-key' }), 200);
      assert.equal(await postSpans(collector.url, 'keyed', [{}], { authorization: 'Bearer s3cret-key' }), 200);
      assert.equal((await get(`${collector.url}/api/services`)).status, 401);
      assert.equal((await get(`${collector.url}/api/services`, { 'x-api-key': 'nope' })).status, 401);
      const services = await collector.api<{ service: string }[]>('services', { 'x-api-key': 's3cret-key' });
      assert.deepEqual(services.map((s) => s.service), ['keyed']);

      const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_API_KEY: 's3cret-key', TRACEKIT_SERVICE_NAME: 'agent-with-key' } });
      await get(`${app.url}/`);
      await app.stop();
      await eventually(async () => {
        const s = await collector.api<{ service: string }[]>('services', { authorization: 'Bearer s3cret-key' });
        return s.some((x) => x.service === 'agent-with-key') ? true : undefined;
      }, 'the agent spans sent with the key');
    } finally {
      await collector.stop();
    }
  });

  it('will not listen beyond loopback without an API key, and will with one', async () => {
    const refused = await runCli(['start', '--host', '0.0.0.0', '--port', '0', '--db', tempDbPath()]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refusing to listen on 0\.0\.0\.0 without an API key/);
    const open = await startCollectorProcess({ args: ['--host', '0.0.0.0'], env: { TRACEKIT_COLLECTOR_API_KEY: 'k-from-env-0123456789' } });
    try {
      const port = new URL(open.url).port;
      assert.equal((await get(`http://127.0.0.1:${port}/api/services`)).status, 401);
      assert.equal((await get(`http://127.0.0.1:${port}/api/services`, { 'x-api-key': 'k-from-env-0123456789' })).status, 200);
    } finally {
      await open.stop();
    }
  });

  it('answers only loopback host names on loopback, and grants no CORS', async () => {
    const collector = await startCollectorProcess();
    try {
      const port = new URL(collector.url).port;
      // fetch will not send a Host of our choosing; node:http will, as a rebinding browser would.
      const rebound = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/api/services', headers: { host: `evil.example:${port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end();
      });
      assert.equal(rebound, 421);
      assert.equal((await get(`http://localhost:${port}/api/services`)).status, 200);
      const preflight = await fetch(`${collector.url}/v1/traces`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
      assert.notEqual(preflight.status, 204);
      const read = await fetch(`${collector.url}/api/services`, { headers: { origin: 'https://evil.example' } });
      assert.equal(read.headers.get('access-control-allow-origin'), null);
      // A form post (no preflight) cannot pass as OTLP.
      const form = await fetch(`${collector.url}/v1/traces`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 415);
    } finally {
      await collector.stop();
    }
  });
});

describe('tracekit start options', () => {
  it('documents every option', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /tracekit start/);
    const help = await runCli(['start', '--help']);
    assert.equal(help.code, 0);
    for (const opt of ['--host', '--port', '--db', '--retention', '--api-key', '--memory-limit', '--max-body', '--max-queue', '--ai-origin', '--log-search-budget']) assert.ok(help.stdout.includes(opt), opt);
    for (const env of ['TRACEKIT_COLLECTOR_HOST', 'TRACEKIT_COLLECTOR_PORT', 'TRACEKIT_COLLECTOR_DB', 'TRACEKIT_COLLECTOR_RETENTION', 'TRACEKIT_COLLECTOR_API_KEY']) assert.ok(help.stdout.includes(env), env);
  });

  it('a bad value, an unwritable path or a port in use is one line and exit code 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busyPort = (blocker.address() as { port: number }).port;
    try {
      const cases: [string[], Record<string, string>, RegExp][] = [
        [['start', '--retention', 'forever'], {}, /--retention: "forever" is not a duration/],
        [['start', '--port', '70000'], {}, /--port: "70000" is not a port number/],
        [['start'], { TRACEKIT_COLLECTOR_PORT: 'abc' }, /TRACEKIT_COLLECTOR_PORT: "abc" is not a port number/],
        [['start', '--memory-limit', 'lots'], {}, /--memory-limit: "lots" is not a size/],
        [['start', '--bogus'], {}, /unknown option "--bogus"/],
        [['start', '--log-search-budget', 'soon'], {}, /--log-search-budget: "soon" is not a number of milliseconds/],
        [['start', '--ai-origin', 'https://gw.example/v1'], {}, /--ai-origin: "https:\/\/gw\.example\/v1" is not an origin/],
        [['start'], { TRACEKIT_COLLECTOR_AI_ORIGIN: 'ftp://x.example' }, /TRACEKIT_COLLECTOR_AI_ORIGIN: "ftp:\/\/x\.example" is not an origin/],
        [['start', '--db', '/etc/hostname/store.duckdb', '--port', '0'], {}, /cannot (write|open) .*store\.duckdb/],
        [['start', '--port', String(busyPort), '--db', tempDbPath()], {}, new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is already in use`)],
      ];
      for (const [args, env, message] of cases) {
        const res = await runCli(args, env);
        assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
        assert.match(res.stderr, message);
        assert.equal(res.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
      }
    } finally {
      blocker.close();
    }
  });

  it('takes its settings from TRACEKIT_COLLECTOR_* when no flag is given', async () => {
    const dbPath = tempDbPath();
    const collector = await startCollectorProcess({ env: { TRACEKIT_COLLECTOR_RETENTION: '2h', TRACEKIT_COLLECTOR_MEMORY_LIMIT: '256MB', TRACEKIT_COLLECTOR_AI_ORIGIN: 'http://127.0.0.1:11434, https://gw.example/' }, dbPath });
    try {
      assert.match(collector.stdout(), /retention 2h/);
      const csp = (await fetch(collector.url + '/')).headers.get('content-security-policy') ?? '';
      assert.match(csp, /connect-src 'self' https:\/\/api\.anthropic\.com https:\/\/api\.openai\.com http:\/\/127\.0\.0\.1:11434 https:\/\/gw\.example;/);
      const status = await collector.api<{ retentionMs: number; stored: { memoryLimit: string } }>('status');
      assert.equal(status.retentionMs, 7_200_000);
      assert.match(status.stored.memoryLimit, /^2(44|56)(\.\d+)? MiB$|^256\.0 MB$/, 'DuckDB runs with the memory limit given');
    } finally {
      await collector.stop();
    }
  });
});
