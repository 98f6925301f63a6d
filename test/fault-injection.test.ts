// An instrumentation that throws inside its own hook must leave the app working and
// answering exactly what it answers without tracekit; the failing part switches itself off
// and says so once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { get, startApp, type RunningApp } from './helpers/app';

const PATHS = ['/hello', '/users/42', '/api/items/7', '/error', '/next-error', '/status/418', '/fetch', '/http-get', '/hello?token=x'];

const receiver = new OtlpReceiver();
let down: RunningApp;
before(async () => {
  await receiver.start();
  down = await startApp('plain-http.cjs', { preload: 'none' });
});
after(async () => {
  await down.stop();
  await receiver.stop();
});

async function answers(env: Record<string, string>, preload: 'import' | 'none', faults: boolean) {
  const app = await startApp('express-app.cjs', {
    preload,
    nodeFlags: faults ? ['--import', 'tracekit-node/register', '--require', './fixtures/fault-inject.cjs'] : [],
    env: { TRACEKIT_ENDPOINT: receiver.url, DOWNSTREAM_URL: down.url, ...env },
  });
  const out: string[] = [];
  for (const p of PATHS) {
    const r = await get(app.url + p);
    out.push(`${p} ${r.status} ${r.body.replace(/"traceparent":"[^"]*"/, '"traceparent":"…"')}`);
  }
  await app.stop();
  return { out, stderr: app.stderr() };
}

for (const [label, env] of [['inside client, error and query hooks', {}], ['inside the server request hook', { FAULT_SERVER: '1' }]] as const) {
  test(`faults ${label}: same responses as without tracekit`, async () => {
    const plain = await answers(env, 'none', false);
    const faulty = await answers(env, 'none', true);
    assert.deepEqual(faulty.out, plain.out);
    assert.match(faulty.stderr, /instrumentation \S+ failed in .* and is now disabled/);
    const lines = faulty.stderr.split('\n').filter((l) => l.includes('is now disabled'));
    assert.equal(new Set(lines.map((l) => l.split(' failed')[0])).size, lines.length, 'one line per failing instrumentation');
  });
}

/** Routes of the database fixtures whose answers do not depend on timing. */
const DB_ROUTES: Record<string, string[]> = {
  'pg-app.cjs': ['/text-values', '/config', '/named', '/callback', '/connect-callback', '/connect-promise', '/submittable', '/cursor', '/fixed', '/error-syntax', '/error-missing-table', '/error-refused', '/error-callback'],
  'mysql-app.cjs': ['/query-cb', '/execute-cb', '/promise-query', '/promise-execute', '/connection', '/pool-connection', '/cluster', '/emitter', '/fixed', '/error-syntax', '/error-missing-table', '/error-refused', '/error-callback'],
};

async function dbAnswers(fixture: string, env: Record<string, string>, faults: boolean) {
  const app = await startApp(fixture, {
    preload: 'none',
    nodeFlags: faults ? ['--import', 'tracekit-node/register', '--require', './fixtures/fault-inject.cjs'] : [],
    env: { TRACEKIT_ENDPOINT: receiver.url, ...env },
  });
  const out: string[] = [];
  for (const p of DB_ROUTES[fixture]) {
    const r = await get(app.url + p);
    out.push(`${p} ${r.status} ${r.body}`);
  }
  await app.stop();
  return { out, stderr: app.stderr() };
}

for (const fixture of Object.keys(DB_ROUTES)) {
  for (const where of ['start', 'end']) {
    test(`faults at the ${where} of every ${fixture.split('-')[0]} query: same answers as without tracekit`, async () => {
      const plain = await dbAnswers(fixture, {}, false);
      const faulty = await dbAnswers(fixture, { FAULT_DB: where }, true);
      assert.deepEqual(faulty.out, plain.out);
      const lines = faulty.stderr.split('\n').filter((l) => l.includes('is now disabled'));
      assert.ok(lines.length >= 1, faulty.stderr);
      const part = where === 'start' ? /failed in (pool )?query start/ : /failed in (query (end|callback|watch)|submittable end)/;
      assert.ok(lines.every((l) => part.test(l)), `the fault hit the query ${where}: ${lines.join(' | ')}`);
      assert.equal(new Set(lines.map((l) => l.split(' failed')[0])).size, lines.length, 'one line per failing instrumentation');
    });
  }
}
