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
    nodeFlags: faults ? ['--import', 'tracekit/register', '--require', './fixtures/fault-inject.cjs'] : [],
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
