// The pieces of live debugging that are pure functions: secret detection (card numbers against
// timestamps, credentials by shape), log-point templates, and source-map decoding checked
// against a map tsc wrote for a real file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCardNumber, isSecretKey, looksSecret, numberLooksSecret } from '../dist/debug/secrets';
import { parseTemplate } from '../dist/debug/log-template';
import { SourceMap } from '../dist/debug/source-maps';
import { CaptureBudget } from '../dist/debug/value-tree';
import { captureVariables } from '../dist/debug/capture-value';
import { fromPreview, RemoteReader } from '../dist/debug/remote-values';
import { Session } from 'node:inspector/promises';

test('card numbers are found by issuer, length and Luhn; timestamps and ids are not', () => {
  for (const card of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3566002020360505', '30569309025904']) assert.equal(isCardNumber(card), true, card);
  assert.equal(isCardNumber('4111111111111112'), false, 'Luhn fails');
  // Millisecond timestamps: 13 digits; some pass Luhn, none has a card issuer's prefix.
  let luhnPassing = 0;
  for (let t = 1733371234560; t < 1733371234570; t++) {
    assert.equal(isCardNumber(String(t)), false, String(t));
    assert.equal(numberLooksSecret(t), false);
    luhnPassing++;
  }
  assert.equal(luhnPassing, 10);
  assert.equal(looksSecret('1733371234'), false, 'a 10-digit epoch');
  assert.equal(looksSecret('order 4111 1111 1111 1111 paid'), true, 'a grouped card inside text');
  assert.equal(numberLooksSecret(4111111111111111), true);
});

test('credentials are found by shape, plain words are not', () => {
  for (const s of ['Bearer abcdefgh12345678', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'AKIAIOSFODNN7EXAMPLE', '-----BEGIN RSA PRIVATE KEY-----', 'sk_live_abcdefghijklmnop', `ghp_${'a'.repeat(36)}`]) assert.equal(looksSecret(s), true, s);
  for (const s of ['hello world', 'checkout-validation', 'GET /orders/12', 'user@example.com', '2026-12-05T05:00:00Z']) assert.equal(looksSecret(s), false, s);
  for (const k of ['password', 'user_password', 'apiKey', 'api_key', 'Authorization', 'cookie', 'sessionId', 'private_key', 'creditCard', 'card_number', 'cvv', 'ssn']) assert.equal(isSecretKey(k), true, k);
  for (const k of ['userId', 'total', 'items', 'country', 'name']) assert.equal(isSecretKey(k), false, k);
});

test('captured values never run a getter or open a proxy', () => {
  let ran = 0;
  const target = { a: 1 };
  const proxy = new Proxy(target, { get: () => { ran++; return 1; }, ownKeys: () => { ran++; return []; } });
  const o = { get g() { ran++; return 1; }, proxy, m: new Map([['token', 'x'], ['k', 'v']]) };
  const vars = captureVariables({ o }, new CaptureBudget());
  assert.equal(ran, 0);
  const entries = vars[0][1].entries ?? [];
  assert.equal(entries.find(([k]) => k === 'g')?.[1].type, 'getter');
  assert.equal(entries.find(([k]) => k === 'proxy')?.[1].className, 'Proxy');
  const map = entries.find(([k]) => k === 'm')?.[1];
  assert.deepEqual(map?.entries?.map(([k, v]) => [k, v.type]), [['token', 'redacted'], ['k', 'string']]);
});

test('log-point templates: expressions, escaped braces, and clear errors', () => {
  assert.deepEqual(parseTemplate('a {x.y} b {{c}}'), [{ text: 'a ' }, { expr: 'x.y' }, { text: ' b {c}' }]);
  assert.throws(() => parseTemplate('a {x'), /unclosed/);
  assert.throws(() => parseTemplate('a }'), /unmatched/);
  assert.throws(() => parseTemplate('{}'), /empty/);
  assert.throws(() => parseTemplate('{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}'), /more than 10/);
});

test('source maps: a .ts line maps to tsc\'s .js line and back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tk-map-'));
  const src = join(dir, 'x.ts');
  writeFileSync(src, ['interface A {', '  n: number;', '}', '', 'export function f(a: A): number {', '  const doubled = a.n * 2;', '  return doubled;', '}', ''].join('\n'));
  execFileSync(process.execPath, [join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '--sourceMap', '--module', 'commonjs', '--target', 'es2019', src]);
  const js = readFileSync(join(dir, 'x.js'), 'utf8').split('\n');
  const map = new SourceMap(JSON.parse(readFileSync(join(dir, 'x.js.map'), 'utf8')), join(dir, 'x.js.map'));
  assert.deepEqual(map.sources, [src]);
  const at = map.generatedFor(src, 6);
  assert.ok(at !== undefined);
  assert.match(js[at.line], /const doubled = a\.n \* 2;/);
  assert.equal(map.originalFor(at.line, at.column)?.line, 6);
  const unmapped = map.generatedFor(src, 2);
  assert.ok(unmapped !== undefined);
  assert.equal(map.originalFor(unmapped.line, unmapped.column)?.line, 5, 'an unmapped line (the interface) binds at the next mapped one');
});

test('an object read from its preview gives the same tree as one read by a round trip', async () => {
  const session = new Session();
  session.connect();
  try {
    // [expression, whether its preview holds all of it]
    const cases: [string, boolean][] = [
      ['({ name: "Ada", tier: "gold", n: 59.9, ok: true, none: null })', true],
      ['({ u: undefined, nan: NaN, neg: -0, inf: -Infinity, apiKey: "k-1" })', true],
      ['[1, 2.5, "x", null, 4111111111111111]', true],
      ['({ sku: "A1", note: "y".repeat(150) })', false],
      ['({ a: { b: 1 }, c: 2 })', false],
      ['({ f() {}, s: "Bearer abcdefghijklmnop" })', false],
      ['Array.from({ length: 150 }, (_, i) => i)', false],
    ];
    for (const [expression, complete] of cases) {
      const withPreview = (await session.post('Runtime.evaluate', { expression, generatePreview: true })).result;
      const without = (await session.post('Runtime.evaluate', { expression, generatePreview: false })).result;
      assert.ok(withPreview.preview !== undefined && without.preview === undefined);
      assert.equal(fromPreview(withPreview.preview) !== undefined, complete, expression);
      const a = new CaptureBudget();
      const b = new CaptureBudget();
      const fast = await new RemoteReader(session, a, performance.now() + 60_000).value(withPreview, 0);
      const slow = await new RemoteReader(session, b, performance.now() + 60_000).value(without, 0);
      assert.deepEqual(fast, slow, expression);
      assert.equal(a.bytes, b.bytes, expression);
    }
  } finally {
    session.disconnect();
  }
});
