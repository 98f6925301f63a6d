/**
 * The route inventory: real express 4 and 5 apps (ES module and CommonJS) under the preload
 * declare nested routers, mount paths, `app.route()` chains, regex and array paths, `all()`,
 * path-mounted middleware, a sub-app, a router mounted twice, one filled in after it was
 * mounted, and a route added after `listen`. What reaches a real collector is compared with
 * the fixture's own `// @route METHOD template` markers and their line numbers, read from the
 * files here, not typed in. Routes requested show figures; a route never requested is
 * reported as never hit. A plain http server reports no routes, and the volume is bounded in
 * the agent (a warning, the app keeps serving) and in the store.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NODES, ROOT, get, startApp } from './helpers/app';
import { eventually, startCollectorProcess, type CollectorProcess } from './helpers/collector';

const DIR = join(ROOT, 'fixtures', 'routes');
const expressDir = (v: string): string => join(ROOT, 'test', 'versions', `express-${v}`, 'node_modules', 'express');

interface Declared { method: string; route: string; kind: string; function: string; file: string; line: number; column: number; requests: number; lastHitMs: number | null; neverHit: boolean; p95Ms: number | null }
interface View { routes: Declared[]; neverHit: number; truncated: string[] }
interface TreeNode { name: string; path: string; type: string; routes: number; neverHit: number; requests: number; children: TreeNode[]; entries?: Declared[] }

/** Every `// @route M T` marker of the files the app loads: method, template, file (relative to the fixture's root) and line. */
function markers(entry: string, five: boolean): Set<string> {
  const out = new Set<string>();
  for (const file of [entry, 'install.cjs', 'api/users.cjs', 'api/shared.cjs']) {
    readFileSync(join(DIR, file), 'utf8').split('\n').forEach((text, i) => {
      for (const m of text.matchAll(/@route (\S+) (\S+)/g)) {
        // The wildcard route is declared twice, once per express major's syntax; one runs.
        if (m[2].startsWith('/files/') && (m[2] === '/files/*splat') !== five) continue;
        out.add(`${m[1]} ${m[2]} ${file}:${i + 1}`);
      }
    });
  }
  return out;
}

let collector: CollectorProcess;
before(async () => {
  collector = await startCollectorProcess();
});
after(async () => {
  await collector.stop();
});

const cases: { version: string; entry: 'app.cjs' | 'app.mjs'; node: { name: string; bin: string } }[] = [];
for (const version of ['4.6.0', '4.22.3', '5.0.0', '5.3.0']) for (const entry of ['app.cjs', 'app.mjs'] as const) cases.push({ version, entry, node: NODES[0] });
for (const node of NODES.slice(1)) for (const version of ['4.22.3', '5.3.0']) cases.push({ version, entry: 'app.mjs', node });

describe('the route inventory of a real express app reaches the collector', () => {
  for (const c of cases) {
    it(`express ${c.version}, ${c.entry}, ${c.node.name}`, async () => {
      const service = `routes-${c.version}-${c.entry}-${c.node.name}`;
      const app = await startApp(join('routes', c.entry), {
        node: c.node.bin,
        env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service, EXPRESS_DIR: expressDir(c.version), TRACEKIT_METRICS_INTERVAL: '300' },
      });
      try {
        const five = c.version.startsWith('5');
        const want = markers(c.entry, five);
        for (const path of ['/api/users/7', '/chain', '/any', '/v2/status', '/after-listen']) assert.equal((await get(app.url + path)).status, 200, path);
        const view = await eventually(async () => {
          const v = await collector.api<View>(`code/routes?service=${encodeURIComponent(service)}`);
          const hit = v.routes.find((r) => r.route === '/after-listen');
          return v.routes.length === want.size && hit !== undefined && hit.requests > 0 ? v : undefined;
        }, `the inventory of ${service}`);
        const got = new Set(view.routes.map((r) => `${r.method} ${r.route} ${r.file}:${r.line}`));
        assert.deepEqual([...got].sort(), [...want].sort());
        for (const r of view.routes) assert.ok(r.column > 0, `${r.route} has a column`);
        const find = (method: string, route: string): Declared => {
          const r = view.routes.find((x) => x.method === method && x.route === route);
          assert.ok(r, `${method} ${route}`);
          return r;
        };
        assert.equal(find('GET', '/api/users/:id').function, 'getUser');
        assert.equal(find('POST', '/api/users/:id').function, '<anonymous>');
        assert.equal(find('ALL', '/any').function, 'anyMethod');
        // Requested routes carry figures; the one nobody calls is never hit; middleware is neither.
        for (const [m, r] of [['GET', '/api/users/:id'], ['GET', '/chain'], ['ALL', '/any'], ['GET', '/v2/status'], ['GET', '/after-listen']]) {
          const d = find(m, r);
          assert.ok(d.requests >= 1 && d.lastHitMs !== null && d.p95Ms !== null && !d.neverHit, `${m} ${r} was hit: ${JSON.stringify(d)}`);
        }
        assert.equal(find('GET', '/v1/status').neverHit, true, 'the other mount of the same router was not requested');
        assert.equal(find('GET', '/never').neverHit, true);
        assert.equal(find('USE', '/static').kind, 'middleware');
        assert.equal(find('USE', '/static').neverHit, false);
        assert.equal(view.neverHit, view.routes.filter((r) => r.kind === 'route' && r.requests === 0).length);

        // The tree: folders → files → routes, with figures rolled up.
        const tree = await collector.api<TreeNode>(`code/tree?service=${encodeURIComponent(service)}`);
        const api = tree.children.find((n) => n.name === 'api' && n.type === 'folder');
        assert.ok(api, 'an api folder');
        const inApi = view.routes.filter((r) => r.file.startsWith('api/'));
        assert.equal(api.routes, inApi.length);
        assert.equal(api.neverHit, inApi.filter((r) => r.neverHit).length);
        assert.equal(api.requests, inApi.reduce((n, r) => n + r.requests, 0));
        assert.deepEqual(api.children.map((f) => f.name), ['shared.cjs', 'users.cjs']);
        assert.equal(tree.routes, view.routes.filter((r) => r.kind === 'route').length);
        // The folder filter narrows the routes to that folder.
        const filtered = await collector.api<View>(`code/routes?service=${encodeURIComponent(service)}&folder=api`);
        assert.deepEqual(filtered.routes.map((r) => `${r.method} ${r.route}`).sort(), inApi.map((r) => `${r.method} ${r.route}`).sort());
      } finally {
        await app.stop();
      }
    });
  }
});

describe('what is not an express route, and volume', () => {
  it('a plain http server reports no routes', async () => {
    const service = 'routes-plain-http';
    const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service } });
    try {
      await get(app.url + '/');
      await eventually(async () => ((await collector.api<{ service: string }[]>('services')).some((s) => s.service === service) ? true : undefined), 'the plain server\'s spans');
      // The inventory would have been sent a second after the first registration; there is none.
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual((await collector.api<View>(`code/routes?service=${service}`)).routes, []);
    } finally {
      await app.stop();
    }
  });

  it('more routes than the limit: the app serves, 5,000 reported and marked as cut, nothing printed; a later snapshot replaces it', async () => {
    const service = 'routes-many';
    const env = { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service };
    const app = await startApp(join('routes', 'many.cjs'), { env });
    try {
      assert.equal((await get(app.url + '/r5999')).body, 'route 5999', 'a route past the limit still works');
      const view = await eventually(async () => {
        const v = await collector.api<View>(`code/routes?service=${service}`);
        return v.routes.length === 5000 ? v : undefined;
      }, '5,000 routes');
      assert.ok(view.routes.every((r) => /^\/r\d+$/.test(r.route)));
      assert.deepEqual(view.truncated, [service], 'the inventory says it is cut');
      // Said in the data, not on the app's stderr (a test suite making many apps passes the limit too).
      assert.equal(app.stderr(), '');
    } finally {
      await app.stop();
    }
    const small = await startApp(join('routes', 'many.cjs'), { env: { ...env, ROUTES: '3' } });
    try {
      const replaced = await eventually(async () => {
        const v = await collector.api<View>(`code/routes?service=${service}`);
        return v.routes.length === 3 ? v : undefined;
      }, 'the new snapshot replacing the old');
      assert.deepEqual(replaced.truncated, []);
    } finally {
      await small.stop();
    }
  });

  it('the store keeps at most 5,000 routes of one snapshot, from any sender', async () => {
    const service = 'routes-foreign-sender';
    const records = Array.from({ length: 5003 }, (_, i) => ({
      timeUnixNano: String(Date.now() * 1e6),
      eventName: 'tracekit.route',
      body: { stringValue: `GET /x${i}` },
      attributes: [
        { key: 'tracekit.inventory.id', value: { stringValue: 'snap-1' } },
        { key: 'http.request.method', value: { stringValue: 'GET' } },
        { key: 'http.route', value: { stringValue: `/x${i}` } },
        { key: 'code.file.path', value: { stringValue: 'app.js' } },
        { key: 'code.line.number', value: { intValue: String(i + 1) } },
      ],
    }));
    const before = (await collector.api<{ ingest: { droppedRoutes: number } }>('status')).ingest.droppedRoutes;
    const res = await fetch(`${collector.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: records }] }] }),
    });
    assert.equal(res.status, 200, await res.text());
    const view = await eventually(async () => {
      const v = await collector.api<View>(`code/routes?service=${service}`);
      return v.routes.length > 0 ? v : undefined;
    }, 'the foreign inventory');
    assert.equal(view.routes.length, 5000);
    assert.deepEqual(view.truncated, [service]);
    assert.equal((await collector.api<{ ingest: { droppedRoutes: number } }>('status')).ingest.droppedRoutes - before, 3);
    // Route records are not log rows.
    assert.deepEqual((await collector.api<{ logs: unknown[] }>(`logs?service=${service}&window=5m`)).logs, []);
  });
});
