// Prisma 6 and 7 with the pg driver adapter against the real PostgreSQL: an INTERNAL span per
// client operation with the SQL it ran as child database spans, one per query, through
// Prisma's own tracing hook; N+1 across ORM calls; no literal exported; errors unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { NODES, ROOT, get, startApp, type RunningApp } from './helpers/app';
import { assertChildOf, exported, tracedRequest } from './helpers/db';
import { CLIENT, INTERNAL, assertNested } from './helpers/traces';

const receiver = new OtlpReceiver();
const prismaDir = (v: string): string => join(ROOT, 'test', 'versions', `prisma-${v}`);
const node24 = NODES.find((n) => n.name === 'node24');

const VARIANTS: { label: string; version: string; node?: string; env?: Record<string, string> }[] = [
  { label: 'Prisma 6.16.0 (lowest 6.x with the client engine)', version: '6.16.0' },
  { label: 'Prisma 6.19.3 (newest 6.x)', version: '6.19.3' },
  { label: 'Prisma 7.0.0 (lowest 7.x)', version: '7.0.0' },
  { label: 'Prisma 7.10.0 (newest 7.x)', version: '7.10.0' },
  ...(node24 ? [{ label: `Prisma 7.10.0 on ${node24.name}`, version: '7.10.0', node: node24.bin }] : []),
  { label: 'Prisma 7.10.0 with the pg instrumentation off: spans from what Prisma reports', version: '7.10.0', env: { TRACEKIT_DISABLED_INSTRUMENTATIONS: 'pg' } },
];

before(async () => {
  await receiver.start();
});
after(async () => {
  await receiver.stop();
});

const ofTrace = (traceId: string): ReceivedSpan[] => receiver.trace(traceId);
const operations = (traceId: string): ReceivedSpan[] => ofTrace(traceId).filter((s) => s.kind === INTERNAL && s.name.startsWith('prisma '));

VARIANTS.forEach((variant, index) => {
  const service = `prisma-app-${index}`;
  describe(variant.label, () => {
    let app: RunningApp;
    let bare: RunningApp;
    before(async () => {
      const env = { PRISMA_DIR: prismaDir(variant.version), ...variant.env };
      [app, bare] = await Promise.all([
        startApp('prisma-app.cjs', { env: { ...env, TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: service }, node: variant.node }),
        startApp('prisma-app.cjs', { env, preload: 'none', node: variant.node }),
      ]);
    });
    after(async () => {
      await Promise.all([app.stop(), bare.stop()]);
    });

    test('an operation span per client call, with each query it ran as one database span under it', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/find-many');
      assert.equal(t.body, (await get(`${bare.url}/find-many`)).body);
      const ops = operations(t.server.traceId);
      assert.deepEqual(ops.map((s) => s.name), ['prisma User.findMany']);
      const op = ops[0];
      assertNested(t.server, op);
      assert.equal(op.attributes['prisma.model'], 'User');
      assert.equal(op.attributes['prisma.method'], 'findMany');
      await new Promise((r) => setTimeout(r, 200));
      const db = ofTrace(t.server.traceId).filter((s) => s.attributes['db.system.name'] !== undefined);
      assert.equal(db.length, 1, `one query, one span: ${db.map((s) => s.name).join(', ')}`);
      assertNested(op, db[0]);
      assert.equal(db[0].kind, CLIENT);
      assert.equal(db[0].attributes['db.system.name'], 'postgresql');
      assert.match(String(db[0].attributes['db.query.text']), /^SELECT .* FROM "public"\."tk_prisma_users" WHERE .*"id" < \$1/);
      assert.match(db[0].name, /^SELECT public\.tk_prisma_users$/);
      assert.equal(t.server.attributes['tracekit.db.count'], 1);
    });

    test('a transaction holds its operations and their queries', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/transaction', 2);
      const tx = operations(t.server.traceId).find((s) => s.name === 'prisma $transaction');
      assert.ok(tx, 'a $transaction span');
      assertNested(t.server, tx);
      await receiver.waitFor(() => operations(t.server.traceId).length >= 3, 5000, 'the operations');
      const names = operations(t.server.traceId).map((s) => s.name).sort();
      assert.deepEqual(names, ['prisma $transaction', 'prisma Post.findFirst', 'prisma User.count']);
      for (const op of operations(t.server.traceId).filter((s) => s !== tx)) assert.equal(op.parentSpanId, tx.spanId, `${op.name} is inside the transaction`);
      // Prisma sends a batch as one unit, from the context of its last operation: every query
      // of the batch, BEGIN and COMMIT included, lies under the transaction.
      const isUnder = (s: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
        for (let p = ofTrace(s.traceId).find((x) => x.spanId === s.parentSpanId); p; p = ofTrace(s.traceId).find((x) => x.spanId === p!.parentSpanId)) if (p.spanId === ancestor.spanId) return true;
        return false;
      };
      // Without the pg instrumentation only Prisma's own db_query steps are seen, and Prisma
      // reports BEGIN and COMMIT as such or not depending on its version: count the SELECTs.
      const pgOff = variant.env?.TRACEKIT_DISABLED_INSTRUMENTATIONS === 'pg';
      const ops = (): string[] => ofTrace(t.server.traceId).filter((s) => s.attributes['db.system.name'] !== undefined).map((q) => String(q.attributes['db.operation.name'])).sort();
      await receiver.waitFor(() => ops().filter((o) => o === 'SELECT').length >= 2 && (pgOff || ops().length >= 4), 5000, 'the batch queries');
      if (pgOff) assert.equal(ops().filter((o) => o === 'SELECT').length, 2);
      else assert.deepEqual(ops(), ['BEGIN', 'COMMIT', 'SELECT', 'SELECT']);
      const queries = ofTrace(t.server.traceId).filter((s) => s.attributes['db.system.name'] !== undefined);
      for (const q of queries) assert.ok(isUnder(q, tx), `${q.name} is under the transaction`);
    });

    test('twenty findUnique calls in a loop are flagged N+1; one findMany with `in` is not', async () => {
      const loop = await tracedRequest(receiver, service, app.url, '/n-plus-one', 20);
      assert.equal(loop.body, '20');
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one'], true);
      assert.equal(loop.server.attributes['tracekit.db.n_plus_one.count'], 20);
      assert.match(String(loop.server.attributes['tracekit.db.n_plus_one.template']), /FROM "public"\."tk_prisma_users" WHERE/);
      const fixed = await tracedRequest(receiver, service, app.url, '/fixed');
      assert.equal(fixed.body, '20');
      assert.equal(fixed.server.attributes['tracekit.db.n_plus_one'], undefined);
      assert.equal(fixed.server.attributes['tracekit.db.count'], 1);
    });

    test('no literal of a raw query is exported', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/raw-secret');
      assert.equal(t.db[0].attributes['db.query.text'], 'SELECT ? AS a, ? AS b');
      const all = exported(receiver);
      for (const secret of ['tk-SECRET', '918273645']) assert.ok(!all.includes(secret), `${secret} was exported`);
    });

    test('a failing query: error spans, and the app gets the same error as without tracekit', async () => {
      const t = await tracedRequest(receiver, service, app.url, '/error');
      const without = await get(`${bare.url}/error`);
      assert.equal(t.status, 500);
      assert.equal(t.body, without.body);
      assert.equal(t.db[0].status.code, 2);
      const op = operations(t.server.traceId)[0];
      // Prisma reports $queryRaw and $queryRawUnsafe alike, as `queryRaw`.
      assert.equal(op.name, 'prisma queryRaw');
      assert.equal(op.status.code, 2);
      assertChildOf(op, t.db[0]);
    });
  });
});
