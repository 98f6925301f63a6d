/**
 * The code inventory: stacks that real fixtures throw (CommonJS, ES modules, async, class
 * methods, constructors, anonymous functions, eval, a library) parse into the right frames on
 * every Node line, and an app's exceptions under the agent reach /api/code with files relative
 * to the app's root, the throwing line, occurrences and error groups.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NODES, ROOT, get, startApp } from './helpers/app';
import { eventually, startCollectorProcess } from './helpers/collector';
import { parseStack } from '../dist/shared/stack-frames';

/** The 1-based line of `marker` in a fixture file, found in the file itself. */
function lineOf(file: string, marker: string): number {
  const index = readFileSync(join(ROOT, file), 'utf8').split('\n').findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, `${marker} in ${file}`);
  return index + 1;
}

interface Entry { service: string; file: string; function: string; line: number; library: boolean; occurrences: number; firstSeenMs: number; lastSeenMs: number; groups: string[] }

describe('stack parsing on stacks the fixtures throw', () => {
  const cjs = 'fixtures/stacks/throwers.cjs';
  const mjs = 'fixtures/stacks/throwers.mjs';
  const expected: Record<string, { file: string; fn: string }> = {
    named: { file: cjs, fn: 'named' },
    method: { file: cjs, fn: 'Service.method' },
    constructor: { file: cjs, fn: 'Failing' },
    anonymous: { file: cjs, fn: '<anonymous>' },
    eval: { file: cjs, fn: 'eval' },
    async: { file: cjs, fn: 'later' },
  };
  for (const { name, bin } of NODES) {
    it(`CommonJS and ES module stacks on ${name}`, () => {
      const stacks = JSON.parse(execFileSync(bin, [join(ROOT, cjs)], { cwd: ROOT, encoding: 'utf8' })) as Record<string, string>;
      for (const [kase, want] of Object.entries(expected)) {
        const frames = parseStack(stacks[kase], ROOT);
        assert.deepEqual({ file: frames[0].file, fn: frames[0].function, line: frames[0].line, library: frames[0].library }, { file: want.file, fn: want.fn, line: lineOf(want.file, `case:${kase}`), library: false }, kase);
        assert.ok(frames.every((f) => !f.file.startsWith('node:')), `${kase}: no node internals`);
      }
      const lib = parseStack(stacks.library, ROOT);
      assert.equal(lib[0].library, true);
      assert.match(lib[0].file, /^node_modules\/router\//);
      const firstOwn = lib.find((f) => !f.library);
      assert.deepEqual([firstOwn?.file, firstOwn?.line], [cjs, lineOf(cjs, 'case:library')]);

      const esm = JSON.parse(execFileSync(bin, [join(ROOT, mjs)], { cwd: ROOT, encoding: 'utf8' })) as Record<string, string>;
      const named = parseStack(esm.named, ROOT);
      assert.deepEqual([named[0].file, named[0].function, named[0].line], [mjs, 'named', lineOf(mjs, 'case:named')], 'file:// URLs become paths');
      const top = parseStack(esm.toplevel, ROOT);
      assert.deepEqual([top[0].file, top[0].function, top[0].line], [mjs, '<anonymous>', lineOf(mjs, 'case:toplevel')]);
      assert.ok(top.every((f) => !f.file.startsWith('node:')));
    });
  }

  it('keeps paths outside the root absolute, and percent-decodes file URLs', () => {
    const frames = parseStack('Error: x\n    at f (file:///srv/my%20app/a.mjs:3:4)\n    at Foo.bar [as baz] (/opt/lib/b.js:1:2)\n    at native\n', '/elsewhere');
    assert.deepEqual(frames.map((f) => [f.function, f.file, f.line]), [['f', '/srv/my app/a.mjs', 3], ['Foo.bar', '/opt/lib/b.js', 1]]);
  });
});

describe('code inventory through the collector', () => {
  it("lists the functions of an app's exceptions, relative to its root, with occurrences and groups", { timeout: 60_000 }, async () => {
    const collector = await startCollectorProcess();
    const app = await startApp('express-app.cjs', { env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: 'code-inventory' } });
    try {
      for (const path of ['/error', '/error', '/next-error']) assert.equal((await get(`${app.url}${path}`)).status, 500);
      const routes = 'fixtures/express-routes.cjs';
      const entries = await eventually(async () => {
        const e = await collector.api<Entry[]>('code?service=code-inventory&window=5m');
        return e.some((x) => x.function === 'failing') && e.some((x) => x.function === 'passesError') ? e : undefined;
      }, 'the code inventory of the app');
      const failing = entries.find((e) => e.function === 'failing') as Entry;
      assert.deepEqual([failing.file, failing.line, failing.occurrences, failing.groups.length, failing.library], [routes, lineOf(routes, "throw new Error('boom in handler')"), 2, 1, false]);
      assert.ok(failing.firstSeenMs <= failing.lastSeenMs && failing.lastSeenMs <= Date.now());
      const passes = entries.find((e) => e.function === 'passesError') as Entry;
      assert.deepEqual([passes.file, passes.line, passes.occurrences], [routes, lineOf(routes, "new TypeError('passed to next')"), 1]);
      assert.deepEqual(entries.filter((e) => e.library), [], 'library frames only on request');
      assert.equal(entries[0].function, 'failing', 'busiest first');

      const withLibrary = await collector.api<Entry[]>('code?service=code-inventory&window=5m&library=1');
      assert.ok(withLibrary.some((e) => e.library && e.file.startsWith('node_modules/router/')));
      const underFixtures = await collector.api<Entry[]>(`code?service=code-inventory&window=5m&library=1&file=${encodeURIComponent('fixtures/')}`);
      assert.ok(underFixtures.length > 0 && underFixtures.every((e) => e.file.startsWith('fixtures/')));
      assert.deepEqual(await collector.api<Entry[]>('code?service=code-inventory&window=5m&file=%25'), [], 'a LIKE wildcard in the prefix is literal');
      const bad = await fetch(`${collector.url}/api/code?sort=size`);
      assert.equal(bad.status, 400);
    } finally {
      await app.stop();
      await collector.stop();
    }
  });
});

