// node-postgres against the real PostgreSQL on 127.0.0.1:5432: every API form, ESM and
// CommonJS, the lowest and newest pg 8.x, errors, N+1, secrets, and the pool hand-over trap.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { NODES, ROOT, get, startApp, type Preload, type RunningApp } from './helpers/app';
import { assertChildOf, exported, tracedRequest } from './helpers/db';
import { CLIENT, assertNested } from './helpers/traces';

const receiver = new OtlpReceiver();
const versionDir = (v: string): string => join(ROOT, 'test', 'versions', `pg-${v}`);

interface Variant {
  label: string;
  fixture: string;
  preload: Preload;
  env: Record<string, string>;
  node?: string;
}

const node24 = NODES.find((n) => n.name === 'node24');
const VARIANTS: Variant[] = [
  { label: 'pg 8.23 (newest), ESM app, --import', fixture: 'pg-app.mjs', preload: 'import', env: {} },
  { label: 'pg 8.23 (newest), CommonJS app, --require', fixture: 'pg-app.cjs', preload: 'require', env: {} },
  { label: 'pg 8.0.3 (lowest), CommonJS app, --import', fixture: 'pg-app.cjs', preload: 'import', env: { PG_DIR: versionDir('8.0.3') } },
  { label: 'pg 8.0.3 (lowest), ESM app, --import', fixture: 'pg-app.mjs', preload: 'import', env: { PG_DIR: versionDir('8.0.3') } },
  ...(node24 ? [{ label: `pg 8.23 (newest), ESM app on ${node24.name}`, fixture: 'pg-app.mjs', preload: 'import' as Preload, env: {}, node: node24.bin }] : []),
];

/** Every route and what its database spans must look like. */
const FORMS: { path: string; spans: { name: string; text: string; rows?: number }[] }[] = [
  { path: '/text-values', spans: [{ name: 'SELECT tk_pg_users', text: 'SELECT id, name FROM tk_pg_users WHERE id = $1', rows: 1 }] },
  { path: '/config', spans: [{ name: 'SELECT tk_pg_users', text: 'SELECT id FROM tk_pg_users WHERE id < $1 ORDER BY id', rows: 3 }] },
  {
    path: '/named',
    spans: [
      { name: 'SELECT tk_pg_users', text: 'SELECT name FROM tk_pg_users WHERE id = $1', rows: 1 },
      { name: 'SELECT tk_pg_users', text: 'SELECT name FROM tk_pg_users WHERE id = $1', rows: 1 },
    ],
  },
  { path: '/callback', spans: [{ name: 'SELECT tk_pg_users', text: 'SELECT count(*)::int AS n FROM tk_pg_users WHERE id > $1', rows: 1 }] },
  { path: '/connect-callback', spans: [{ name: 'UPDATE tk_pg_users', text: 'UPDATE tk_pg_users SET name = name WHERE id = ?', rows: 0 }] },
  {
    path: '/connect-promise',
    spans: [
      { name: 'BEGIN', text: 'BEGIN' },
      { name: 'INSERT tk_pg_users', text: 'INSERT INTO tk_pg_users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING id', rows: 1 },
      { name: 'ROLLBACK', text: 'ROLLBACK' },
    ],
  },
  { path: '/submittable', spans: [{ name: 'SELECT tk_pg_users', text: 'SELECT id FROM tk_pg_users WHERE id <= $1 ORDER BY id' }] },
  { path: '/cursor', spans: [{ name: 'SELECT tk_pg_users', text: 'SELECT id FROM tk_pg_users ORDER BY id' }] },
];

const ROUTES = [...FORMS.map((f) => f.path), '/n-plus-one', '/fixed', '/secret', '/error-syntax', '/error-missing-table', '/error-refused', '/error-callback'];

before(async () => {
  await receiver.start();
});
after(async () => {
  await receiver.stop();
});

VARIANTS.forEach((variant, index) => {
  const service = `pg-app-${index}`;
  describe(variant.label, () => {
    let app: RunningApp;
    let bare: RunningApp;
    const bodies = new Map<string, { status: number; body: string }>();

    before(async () => {
      const env = { ...variant.env, TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_METRICS_INTERVAL: '500' };
      [app, bare] = await Promise.all([
        startApp(variant.fixture, { env, preload: variant.preload, node: variant.node }),
        startApp(variant.fixture, { env: variant.env, preload: 'none', node: variant.node }),
      ]);
    });
    after(async () => {
      await Promise.all([app.stop(), bare.stop()]);
    });

    test('each API form gives one CLIENT span per query, a child of its request, with normalised SQL', async () => {
      for (const form of FORMS) {
        const t = await tracedRequest(receiver, service, app.url, form.path, form.spans.length);
        bodies.set(form.path, { status: t.status, body: t.body });
        assert.equal(t.status, 200, `${form.path}: ${t.body}`);
        assert.equal(t.db.length, form.spans.length, `${form.path}: ${t.db.map((s) => s.name).join(', ')}`);
        form.spans.forEach((want, i) => {
          const span = t.db[i];
          assert.equal(span.kind, CLIENT);
          assert.equal(span.name, want.name, form.path);
          assertNested(t.server, span);
          assert.equal(span.attributes['db.system.name'], 'postgresql');
          assert.equal(span.attributes['db.namespace'], 'test');
          assert.equal(span.attributes['db.query.text'], want.text, form.path);
          assert.equal(span.attributes['server.address'], '127.0.0.1');
          assert.equal(span.attributes['server.port'], 5432);
          if (want.rows !== undefined) assert.equal(span.attributes['db.response.returned_rows'], want.rows, `${form.path} rows`);
          assert.equal(span.status.code, 0, `${form.path} is not an error`);
        });
        assert.equal(t.server.attributes['tracekit.db.count'], form.spans.length, `${form.path} query count on the request`);
        assert.ok(typeof t.server.attributes['tracekit.db.duration_ms'] === 'number');
      }
    });

    test('a query callback runs in the context of the request that made the query', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/callback');
      const marker = receiver.spans.find((s) => s.name === 'in pg callback' && s.traceId === t.server.traceId);
      assert.ok(marker, 'the span started inside the callback is in the request trace');
      assertChildOf(t.server, marker);
    });

    test('twenty single-row queries are flagged N+1; one IN query is not', async () => {
      const loop = await tracedRequest(receiver, service, app.url, '/n-plus-one', 20);
      assert.equal(loop.body, '20');
      assert.equal(loop.server.attributes['tracekit.db.count'], 20);
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one'], true);
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one.template'], 'SELECT name FROM tk_pg_users WHERE id = $1');
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one.count'], 20);
      const slowest = loop.server.attributes['tracekit.db.slowest.templates'] as string[];
      assert.deepEqual(slowest, ['SELECT name FROM tk_pg_users WHERE id = $1']);

      const fixed = await tracedRequest(receiver, service, app.url, '/fixed');
      assert.equal(fixed.body, '20');
      assert.equal(fixed.server.attributes['tracekit.db.count'], 1);
      assert.equal(fixed.server.attributes['tracekit.db.n_plus_one'], undefined);
      assert.equal(fixed.db[0].attributes['db.query.text'], 'SELECT name FROM tk_pg_users WHERE id IN (?)');
    });

    test('no literal from a query reaches anything exported', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/secret', 4);
      assert.equal(t.body, '"ok"');
      assert.deepEqual(
        t.db.map((s) => s.attributes['db.query.text']),
        [
          'SELECT name FROM tk_pg_users WHERE name = ? OR name = ? OR name = ? OR id = ?',
          'SELECT ? AS a, ? AS b; SELECT ? AS c',
          'UPDATE tk_pg_users SET secret = ? WHERE id = ?',
          'SELECT ?::int',
        ],
      );
      const failed = t.db[3].events.find((e) => e.name === 'exception');
      assert.equal(failed?.attributes['exception.message'], 'invalid input syntax for type integer: ?', 'the value the server echoed is scrubbed');
      const all = exported(receiver);
      for (const secret of ['tk-SECRET', '918273645']) assert.ok(!all.includes(secret), `${secret} was exported`);
    });

    test('a failing query gives an error span, and the app sees the same error as without tracekit', async () => {
      const expected: Record<string, string> = { '/error-syntax': '42601', '/error-missing-table': '42P01', '/error-refused': 'ECONNREFUSED', '/error-callback': '42P01' };
      for (const [path, type] of Object.entries(expected)) {
        const t = await tracedRequest(receiver, service, app.url, path);
        bodies.set(path, { status: t.status, body: t.body });
        const span = t.db[0];
        assert.equal(span.status.code, 2, `${path} span is an error`);
        assert.equal(span.attributes['error.type'], type, path);
        const event = span.events.find((e) => e.name === 'exception');
        assert.ok(event && typeof event.attributes['exception.stacktrace'] === 'string', `${path} has an exception event with a stack`);
      }
    });

    test('every route answers exactly as it does without tracekit', async () => {
      for (const path of ROUTES) {
        const withAgent = bodies.get(path) ?? (await get(`${app.url}${path}`));
        const without = await get(`${bare.url}${path}`);
        assert.equal(withAgent.status, without.status, path);
        assert.equal(withAgent.body, without.body, path);
      }
    });

    test('a pooled client handed over by another request runs its query under the waiting request (node-postgres #2533)', async () => {
      const hold = get(`${app.url}/hold`);
      await new Promise((r) => setTimeout(r, 40));
      const wait = await tracedRequest(receiver, service, app.url, '/wait');
      assert.equal((await hold).body, '"held"');
      assert.equal(wait.db.length, 1, 'the waiting query is in the waiting request trace');
      assertChildOf(wait.server, wait.db[0]);
      assert.equal(wait.db[0].attributes['db.query.text'], 'SELECT ? AS waited');
      const holdServer = (): ReceivedSpan | undefined => receiver.spans.find((s) => s.resource['service.name'] === service && s.attributes['url.path'] === '/hold');
      await receiver.waitFor(() => holdServer() !== undefined, 10000, 'the /hold span');
      const heldQuery = receiver.spans.filter((s) => s.attributes['db.query.text'] === 'SELECT ? AS held' && s.resource['service.name'] === service);
      assert.equal(heldQuery.length, 1);
      assertChildOf(holdServer()!, heldQuery[0]);
    });
  });
});

describe('pg outside its declared range, and sampling', () => {
  test('pg 7.x is left unpatched with one debug line', async () => {
    // pg 7 never connects on Node 14 and later, so loading it is the whole test.
    const app = await startApp('load-only.cjs', { noWait: true, env: { LIB_NAME: 'pg', LIB_DIR: versionDir('7.18.2'), TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_LOG_LEVEL: 'debug' } });
    const { code } = await app.exited;
    assert.equal(code, 0, app.stderr());
    assert.equal(app.stdout().trim(), '{"wrapped":false}');
    const lines = app.stderr().split('\n').filter((l) => l.includes('pg@7.18.2'));
    assert.equal(lines.length, 1, app.stderr());
    assert.match(lines[0], /outside the supported range >=8\.0\.3 <9/);
  });

  test('with sampling at 0 no query span is exported, but queries and N+1 are still counted in the request metrics', async () => {
    const service = 'pg-app-unsampled';
    const app = await startApp('pg-app.cjs', { env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_SAMPLE_RATE: '0', TRACEKIT_METRICS_INTERVAL: '300' } });
    try {
      assert.equal((await get(`${app.url}/n-plus-one`)).body, '20');
      assert.equal((await get(`${app.url}/fixed`)).body, '20');
      const sum = (name: string): number =>
        receiver.metrics.filter((m) => m.resource['service.name'] === service && m.name === name).reduce((acc, m) => acc + m.points.reduce((a, p) => a + (p.value ?? 0), 0), 0);
      await receiver.waitFor(() => sum('tracekit.request.db.queries') >= 21 && sum('tracekit.request.n_plus_one') >= 1, 10000, 'the request work metrics');
      assert.equal(sum('tracekit.request.db.queries'), 21);
      assert.equal(sum('tracekit.request.n_plus_one'), 1, 'only the loop is flagged');
      assert.ok(sum('tracekit.request.db.duration') > 0);
      assert.equal(receiver.spans.filter((s) => s.resource['service.name'] === service).length, 0, 'nothing sampled, nothing exported');
    } finally {
      await app.stop();
    }
  });
});

