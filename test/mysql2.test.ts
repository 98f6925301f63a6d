// mysql2 against the real MariaDB on 127.0.0.1:3306: callback and promise APIs, query and
// execute, pools and pool clusters, ESM and CommonJS; 3.0.0 and 3.19.1, and the first and newest
// that publish TracingChannels (3.20.0, 3.24.5), which are patched too; and 2.x outside the range.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { NODES, ROOT, get, startApp, type Preload, type RunningApp } from './helpers/app';
import { assertChildOf, exported, tracedRequest } from './helpers/db';
import { CLIENT, assertNested } from './helpers/traces';

const receiver = new OtlpReceiver();
const versionDir = (v: string): string => join(ROOT, 'test', 'versions', `mysql2-${v}`);

interface Variant {
  label: string;
  fixture: string;
  preload: Preload;
  env: Record<string, string>;
  node?: string;
}

const node24 = NODES.find((n) => n.name === 'node24');
const VARIANTS: Variant[] = [
  { label: 'mysql2 3.24 (newest, channels), ESM app', fixture: 'mysql-app.mjs', preload: 'import', env: {} },
  { label: 'mysql2 3.24 (newest, channels), CommonJS app, --require', fixture: 'mysql-app.cjs', preload: 'require', env: {} },
  { label: 'mysql2 3.20.0 (first with channels), CommonJS app', fixture: 'mysql-app.cjs', preload: 'import', env: { MYSQL_DIR: versionDir('3.20.0') } },
  { label: 'mysql2 3.19.1 (newest patched), CommonJS app', fixture: 'mysql-app.cjs', preload: 'import', env: { MYSQL_DIR: versionDir('3.19.1') } },
  { label: 'mysql2 3.0.0 (lowest, patched), CommonJS app', fixture: 'mysql-app.cjs', preload: 'import', env: { MYSQL_DIR: versionDir('3.0.0') } },
  { label: 'mysql2 3.0.0 (lowest, patched), ESM app', fixture: 'mysql-app.mjs', preload: 'import', env: { MYSQL_DIR: versionDir('3.0.0') } },
  ...(node24 ? [{ label: `mysql2 3.24 (newest), ESM app on ${node24.name}`, fixture: 'mysql-app.mjs', preload: 'import' as Preload, env: {}, node: node24.bin }] : []),
];

const FORMS: { path: string; name: string; text: string; rows?: number }[] = [
  { path: '/query-cb', name: 'SELECT tk_my_users', text: 'SELECT id, name FROM tk_my_users WHERE id = ?', rows: 1 },
  { path: '/execute-cb', name: 'SELECT tk_my_users', text: 'SELECT id FROM tk_my_users WHERE id < ? ORDER BY id', rows: 3 },
  { path: '/promise-query', name: 'SELECT tk_my_users', text: 'SELECT name FROM tk_my_users WHERE id = ?', rows: 1 },
  { path: '/promise-execute', name: 'SELECT tk_my_users', text: 'SELECT name FROM tk_my_users WHERE id = ?', rows: 1 },
  { path: '/connection', name: 'UPDATE tk_my_users', text: 'UPDATE tk_my_users SET name = name WHERE id = ?' },
  { path: '/pool-connection', name: 'SELECT tk_my_users', text: 'SELECT count(*) AS n FROM tk_my_users', rows: 1 },
  { path: '/cluster', name: 'SELECT tk_my_users', text: 'SELECT id FROM tk_my_users WHERE id = ?', rows: 1 },
  { path: '/emitter', name: 'SELECT tk_my_users', text: 'SELECT id FROM tk_my_users WHERE id <= ? ORDER BY id' },
];

const ROUTES = [...FORMS.map((f) => f.path), '/n-plus-one', '/fixed', '/secret', '/error-syntax', '/error-missing-table', '/error-refused', '/error-callback', '/userland-promise'];

before(async () => {
  await receiver.start();
});
after(async () => {
  await receiver.stop();
});

VARIANTS.forEach((variant, index) => {
  const service = `mysql-app-${index}`;
  describe(variant.label, () => {
    let app: RunningApp;
    let bare: RunningApp;
    const bodies = new Map<string, { status: number; body: string }>();

    before(async () => {
      const env = { ...variant.env, TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: service };
      [app, bare] = await Promise.all([
        startApp(variant.fixture, { env, preload: variant.preload, node: variant.node }),
        startApp(variant.fixture, { env: variant.env, preload: 'none', node: variant.node }),
      ]);
    });
    after(async () => {
      await Promise.all([app.stop(), bare.stop()]);
    });

    test('each API form gives exactly one CLIENT span per query, a child of its request', async () => {
      for (const form of FORMS) {
        const t = await tracedRequest(receiver, service, app.url, form.path);
        bodies.set(form.path, { status: t.status, body: t.body });
        assert.equal(t.status, 200, `${form.path}: ${t.body}`);
        // Give a second (duplicate) span the time to arrive before counting.
        await new Promise((r) => setTimeout(r, 150));
        const db = receiver.trace(t.server.traceId).filter((s) => s.attributes['db.system.name'] !== undefined);
        assert.equal(db.length, 1, `${form.path}: one span, got ${db.map((s) => s.name).join(', ')}`);
        const span = db[0];
        assert.equal(span.kind, CLIENT);
        assert.equal(span.name, form.name, form.path);
        assertNested(t.server, span);
        assert.equal(span.attributes['db.system.name'], 'mysql');
        assert.equal(span.attributes['db.namespace'], 'test');
        assert.equal(span.attributes['db.query.text'], form.text, form.path);
        assert.equal(span.attributes['server.address'], '127.0.0.1');
        assert.equal(span.attributes['server.port'], 3306);
        if (form.rows !== undefined) assert.equal(span.attributes['db.response.returned_rows'], form.rows, `${form.path} rows`);
        assert.equal(span.status.code, 0);
        assert.equal(t.server.attributes['tracekit.db.count'], 1, form.path);
      }
    });

    test('a query callback runs in the context of the request that made the query', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/query-cb');
      const marker = receiver.spans.find((s) => s.name === 'in mysql2 callback' && s.traceId === t.server.traceId);
      assert.ok(marker, 'the span started inside the callback is in the request trace');
      assertChildOf(t.server, marker);
    });

    test('twenty single-row queries are flagged N+1; one IN query is not', async () => {
      const loop = await tracedRequest(receiver, service, app.url, '/n-plus-one', 20);
      assert.equal(loop.body, '20');
      assert.equal(loop.server.attributes['tracekit.db.count'], 20);
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one'], true);
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one.template'], 'SELECT name FROM tk_my_users WHERE id = ?');
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one.count'], 20);
      const fixed = await tracedRequest(receiver, service, app.url, '/fixed');
      assert.equal(fixed.body, '20');
      assert.equal(fixed.server.attributes['tracekit.db.n_plus_one'], undefined);
      assert.equal(fixed.db[0].attributes['db.query.text'], 'SELECT name FROM tk_my_users WHERE id IN (?)');
    });

    test('no literal or bound value reaches anything exported', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/secret', 4);
      assert.equal(t.body, '"ok"');
      assert.deepEqual(
        t.db.map((s) => s.attributes['db.query.text']),
        [
          'SELECT name FROM tk_my_users WHERE name = ? OR name = ? OR name = ? OR id = ?',
          'SELECT name FROM tk_my_users WHERE name = ? OR secret = ?',
          'UPDATE tk_my_users SET secret = ? WHERE id = ?',
          'SELEC ?',
        ],
      );
      assert.equal(t.db[3].status.code, 2);
      const all = exported(receiver);
      for (const secret of ['tk-SECRET', '918273645']) assert.ok(!all.includes(secret), `${secret} was exported`);
    });

    test('a failing query gives an error span, and the app sees the same error as without tracekit', async () => {
      const expected: Record<string, string> = { '/error-syntax': 'ER_PARSE_ERROR', '/error-missing-table': 'ER_NO_SUCH_TABLE', '/error-callback': 'ER_NO_SUCH_TABLE' };
      for (const [path, type] of Object.entries(expected)) {
        const t = await tracedRequest(receiver, service, app.url, path);
        bodies.set(path, { status: t.status, body: t.body });
        const span = t.db[0];
        assert.equal(span.status.code, 2, `${path} span is an error`);
        assert.equal(span.attributes['error.type'], type, path);
        assert.ok(span.events.some((e) => e.name === 'exception'), `${path} has an exception event`);
      }
    });

    test('a pool that cannot connect gives an error span under the request', async () => {
      const res = await get(`${app.url}/error-refused`);
      bodies.set('/error-refused', { status: res.status, body: res.body });
      const server = (): ReceivedSpan | undefined => receiver.spans.find((s) => s.resource['service.name'] === service && s.attributes['url.path'] === '/error-refused');
      const connect = (): ReceivedSpan | undefined => receiver.spans.find((s) => s.traceId === server()?.traceId && s.name === 'connect');
      await receiver.waitFor(() => connect() !== undefined, 10000, 'the connect span');
      const span = connect()!;
      assertChildOf(server()!, span);
      assert.equal(span.status.code, 2);
      assert.equal(span.attributes['error.type'], 'ECONNREFUSED');
      assert.equal(span.attributes['server.port'], 1);
    });

    test('every route answers exactly as it does without tracekit (connection refused included)', async () => {
      for (const path of ROUTES) {
        const withAgent = bodies.get(path) ?? (await get(`${app.url}${path}`));
        const without = await get(`${bare.url}${path}`);
        assert.equal(withAgent.status, without.status, path);
        assert.equal(withAgent.body, without.body, path);
      }
    });

    test('a pooled connection handed over by another request runs its query under the waiting request', async () => {
      const hold = get(`${app.url}/hold`);
      await new Promise((r) => setTimeout(r, 40));
      const wait = await tracedRequest(receiver, service, app.url, '/wait');
      assert.equal((await hold).body, '"held"');
      assertChildOf(wait.server, wait.db[0]);
      assert.equal(wait.db[0].attributes['db.query.text'], 'SELECT ? AS waited');
    });

    test('through the promise API too, and the code after the await stays in the waiting request', async () => {
      const hold = get(`${app.url}/hold-promise`);
      await new Promise((r) => setTimeout(r, 40));
      const wait = await tracedRequest(receiver, service, app.url, '/wait-promise');
      assert.equal((await hold).body, '"held"');
      assert.equal(wait.db.length, 1);
      assertChildOf(wait.server, wait.db[0]);
      assert.equal(wait.db[0].attributes['db.query.text'], 'SELECT ? AS waited');
      const marker = receiver.spans.find((s) => s.name === 'after mysql2 await' && s.traceId === wait.server.traceId);
      assert.ok(marker, 'the span started after the await is in the waiting request trace');
      assertChildOf(wait.server, marker);
    });

    test('a userland Promise library settled by mysql2 runs its reactions in the caller context', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/userland-promise');
      assert.equal(t.status, 200, t.body);
      assertChildOf(t.server, t.db[0]);
      const marker = receiver.spans.find((s) => s.name === 'in userland promise reaction' && s.resource['service.name'] === service && s.traceId === t.server.traceId);
      assert.ok(marker, 'the span started in the reaction is in the request trace');
      assertChildOf(t.server, marker);
    });
  });
});

test('mysql2 2.x is outside the range: left unpatched with one debug line', async () => {
  const app = await startApp('load-only.cjs', { noWait: true, env: { LIB_NAME: 'mysql2', LIB_DIR: versionDir('2.3.3'), TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_LOG_LEVEL: 'debug' } });
  const { code } = await app.exited;
  assert.equal(code, 0, app.stderr());
  assert.equal(app.stdout().trim(), '{"wrapped":false}');
  const lines = app.stderr().split('\n').filter((l) => l.includes('mysql2@2.3.3'));
  assert.equal(lines.length, 1, app.stderr());
  assert.match(lines[0], /outside the supported range >=3\.0\.0 <4/);
});

export type { ReceivedSpan };
