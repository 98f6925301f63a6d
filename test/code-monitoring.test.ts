/**
 * Live debugging end to end: real express apps (CommonJS, ES module, TypeScript by type
 * stripping and by a source-mapped tsc build) under the preload with
 * TRACEKIT_CODE_MONITORING=true, against a real collector, driven through the collector's
 * breakpoint API as the dashboard drives it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, NODES, ROOT, get, startApp, type AppOptions, type RunningApp } from './helpers/app';
import { eventually, startCollectorProcess, type CollectorProcess } from './helpers/collector';
import {
  breakpoints, createBreakpoint, deleteBreakpoint, lineOf, patchBreakpoint, snapshotBody, snapshots, valueAt,
  waitForBreakpoint, waitForSnapshots, waitForState, type SnapshotBody,
} from './helpers/debug';

let collector: CollectorProcess;
before(async () => {
  collector = await startCollectorProcess();
});
after(async () => {
  await collector.stop();
});

const HANDLERS = 'debug/handlers.cjs';
const HANDLERS_PATH = `fixtures/${HANDLERS}`;

function monitored(service: string, extra: AppOptions = {}): AppOptions {
  return { ...extra, env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service, TRACEKIT_CODE_MONITORING: 'true', ...extra.env } };
}

async function withApp<T>(fixture: string, options: AppOptions, body: (app: RunningApp) => Promise<T>): Promise<T> {
  const app = await startApp(fixture, options);
  try {
    return await body(app);
  } finally {
    await app.stop();
  }
}

async function hit(app: RunningApp, path: string, times = 1, gapMs = 0): Promise<void> {
  for (let i = 0; i < times; i++) {
    const r = await get(app.url + path);
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    if (gapMs > 0) await new Promise((res) => setTimeout(res, gapMs));
  }
}

/** Sets a file:line breakpoint and waits until the app has bound it. */
async function installed(service: string, file: string, line: number, extra: Record<string, unknown> = {}): Promise<{ id: string; boundLine: number | undefined }> {
  const bp = await createBreakpoint(collector, { service, file, line, ...extra });
  const state = await waitForState(collector, service, bp.id, 'installed');
  return { id: bp.id, boundLine: state.line };
}

/**
 * The breakpoint's next snapshot after those taken so far, hitting `path` until it comes: from
 * the second hit on, a file:line breakpoint captures in the app's thread, without a pause.
 */
async function nextSnapshot(app: RunningApp, id: string, path: string): Promise<SnapshotBody> {
  const seen = new Set((await snapshots(collector, `breakpoint=${id}`)).map((s) => s.id));
  const next = await eventually(async () => {
    await hit(app, path);
    return (await snapshots(collector, `breakpoint=${id}`)).find((s) => !seen.has(s.id));
  }, `a further snapshot of ${id}`);
  return snapshotBody(collector, next.id);
}

/** A snapshot taken without pausing the app. */
function assertUnpaused(body: SnapshotBody): void {
  assert.equal(body.pauseMs, undefined, 'no pause');
  assert.ok(typeof body.heldMs === 'number' && body.heldMs > 0);
}

function str(body: SnapshotBody, ...path: string[]): unknown {
  return valueAt(body.variables, ...path)?.value;
}

describe('captureSnapshot', () => {
  it('registers its site on the first call, captures nothing until enabled, then captures variables, stack and request, redacted', async () => {
    const service = 'debug-snapshot-cjs';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      await hit(app, '/checkout', 3);
      const site = await waitForBreakpoint(collector, service, 'the checkout site', (b) => b.kind === 'snapshot' && b.label === 'checkout-validation');
      assert.equal(site.enabled, false);
      assert.equal(site.function, 'checkout');
      assert.equal(site.file, HANDLERS_PATH);
      assert.equal(site.line, lineOf(HANDLERS, 'checkout'));
      // Off: calls capture nothing.
      await hit(app, '/checkout', 3);
      await new Promise((r) => setTimeout(r, 800));
      assert.equal((await snapshots(collector, `breakpoint=${site.id}`)).length, 0);

      await patchBreakpoint(collector, site.id, { enabled: true });
      await eventually(async () => {
        await hit(app, '/checkout');
        return (await snapshots(collector, `breakpoint=${site.id}`))[0];
      }, 'a snapshot after enabling');
      const [first] = await snapshots(collector, `breakpoint=${site.id}`);
      const body = await snapshotBody(collector, first.id);
      assert.equal(body.kind, 'snapshot');
      assert.equal(body.label, 'checkout-validation');
      assert.equal(str(body, 'userId'), 'u-42');
      assert.equal(str(body, 'itemCount'), 2);
      assert.equal(str(body, 'cart', 'items', '[1]', 'sku'), 'B7');
      // Redaction by name and by value, and numbers that only look long are kept.
      for (const secret of ['password', 'authHeader', 'card']) assert.equal(valueAt(body.variables, secret)?.type, 'redacted', secret);
      assert.equal(str(body, 'createdAtMs'), 1733371234567);
      assert.equal(str(body, 'epochSeconds'), 1733371234);
      // Stack: the app's frame first, tracekit's own frames left out.
      assert.deepEqual({ ...body.stack[0], column: 0 }, { function: 'checkout', file: HANDLERS_PATH, line: lineOf(HANDLERS, 'checkout'), column: 0 });
      assert.ok(body.stack.every((f) => !f.file.includes('dist/')), JSON.stringify(body.stack));
      // Request context, and the ids of the request's own span.
      assert.equal(body.request?.method, 'GET');
      assert.equal(body.request?.route, '/checkout');
      assert.equal(body.request?.url, '/checkout');
      assert.ok(typeof body.sinceRequestMs === 'number' && body.sinceRequestMs >= 0);
      assert.match(first.traceId ?? '', /^[0-9a-f]{32}$/);
      const trace = await eventually(async () => collector.api<{ spans: { spanId: string; name: string }[] }>(`traces/${first.traceId}`), 'the snapshot\'s trace');
      assert.ok(trace.spans.some((s) => s.spanId === first.spanId), 'the snapshot names a span of its trace');
    });
  });

  it('captures at most once per interval and stops at its hit limit', async () => {
    const service = 'debug-snapshot-limits';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      await hit(app, '/checkout');
      const site = await waitForBreakpoint(collector, service, 'the site', (b) => b.label === 'checkout-validation');
      // Default rate: 1 a second. A burst of 10 requests makes one snapshot.
      await patchBreakpoint(collector, site.id, { enabled: true });
      await eventually(async () => {
        await hit(app, '/checkout');
        return (await snapshots(collector, `breakpoint=${site.id}`))[0];
      }, 'the first snapshot');
      const before = Date.now();
      await hit(app, '/checkout', 10);
      const burst = (await waitForSnapshots(collector, site.id, 1)).length;
      if (Date.now() - before < 900) assert.equal(burst, 1, 'a burst within the interval adds nothing');
      // 2 hits allowed, 100 ms apart: many spaced requests make exactly 2.
      await patchBreakpoint(collector, site.id, { enabled: true, maxHits: 2, intervalMs: 100 });
      await new Promise((r) => setTimeout(r, 1200));
      const from = Date.now();
      await hit(app, '/checkout', 12, 150);
      await new Promise((r) => setTimeout(r, 1000));
      const after = (await snapshots(collector, `breakpoint=${site.id}`)).filter((s) => s.timeMs >= from - 50);
      assert.equal(after.length, 2);
      const bp = (await breakpoints(collector, service)).find((b) => b.id === site.id);
      assert.equal(bp?.status, 'done');
    });
  });

  it('keeps to the limits: depth, fields, items, characters and snapshot size', async () => {
    const service = 'debug-snapshot-bounds';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      await hit(app, '/limits');
      const site = await waitForBreakpoint(collector, service, 'the limits site', (b) => b.label === 'limits');
      await patchBreakpoint(collector, site.id, { enabled: true });
      const [s] = await eventually(async () => {
        await hit(app, '/limits');
        const list = await snapshots(collector, `breakpoint=${site.id}`);
        return list.length > 0 ? list : undefined;
      }, 'the limits snapshot');
      const body = await snapshotBody(collector, s.id);
      assert.equal(valueAt(body.variables, 'deep', 'a', 'b', 'c')?.type, 'cut', 'depth 3');
      const huge = valueAt(body.variables, 'huge');
      assert.equal(String(huge?.value).length, 255);
      assert.equal(huge?.size, 100_000);
      const big = valueAt(body.variables, 'big');
      assert.equal(big?.entries?.length, 100);
      assert.equal(big?.omitted, 4900);
      const wide = valueAt(body.variables, 'wide');
      assert.equal(wide?.entries?.length, 20);
      assert.equal(wide?.omitted, 30);
      assert.ok(body.cut.some((c) => c.startsWith('size')), `the 64 KB cap is marked: ${JSON.stringify(body.cut)}`);
      const raw = await (await fetch(`${collector.url}/api/debug/snapshots/${s.id}`)).text();
      assert.ok(raw.length < 80 * 1024, `stored snapshot is bounded (${raw.length} bytes)`);
    });
  });
});

describe('file:line breakpoints', () => {
  it('binds, captures the locals on the next request, never runs a getter, and is removed when disabled (CommonJS)', async () => {
    const service = 'debug-line-cjs';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      const line = lineOf(HANDLERS, 'order');
      const { id, boundLine } = await installed(service, HANDLERS_PATH, line);
      assert.equal(boundLine, line);
      await hit(app, '/orders/7?tier=silver');
      const [s] = await waitForSnapshots(collector, id);
      const body = await snapshotBody(collector, s.id);
      assert.equal(body.kind, 'line');
      assert.equal(body.function, 'order');
      assert.equal(str(body, 'orderId'), 7);
      assert.equal(str(body, 'total'), 42.5, `cut: ${JSON.stringify(body.cut)}, pause ${body.pauseMs} ms`);
      assert.equal(str(body, 'customer', 'tier'), 'silver');
      assert.equal(valueAt(body.variables, 'customer', 'apiKey')?.type, 'redacted');
      assert.equal(valueAt(body.variables, 'sessionToken')?.type, 'redacted', 'a JWT is redacted by its shape');
      assert.equal(valueAt(body.variables, 'req')?.type, 'summary', 'the request object is summarised, not walked');
      assert.equal(body.request?.route, '/orders/:id');
      assert.equal(body.request?.url, '/orders/7?tier=silver');
      assert.equal(body.stack[0].file, HANDLERS_PATH);
      assert.equal(body.stack[0].line, line);
      assert.ok(typeof body.pauseMs === 'number' && body.pauseMs > 0);
      assert.match(s.traceId ?? '', /^[0-9a-f]{32}$/);

      // The next hits capture the same things in the app's thread, without a pause.
      const quick = await nextSnapshot(app, id, '/orders/9?tier=bronze');
      assertUnpaused(quick);
      assert.deepEqual(quick.variables.map(([name]) => name), body.variables.map(([name]) => name));
      assert.equal(str(quick, 'orderId'), 9);
      assert.equal(str(quick, 'customer', 'tier'), 'bronze');
      assert.equal(valueAt(quick.variables, 'customer', 'apiKey')?.type, 'redacted');
      assert.equal(valueAt(quick.variables, 'sessionToken')?.type, 'redacted');
      assert.equal(valueAt(quick.variables, 'req')?.type, 'summary');
      assert.deepEqual(valueAt(quick.variables, 'lines'), valueAt(body.variables, 'lines'));
      assert.equal(quick.request?.route, '/orders/:id');
      assert.equal(quick.request?.url, '/orders/9?tier=bronze');
      assert.equal(quick.function, 'order');
      assert.deepEqual([quick.stack[0].file, quick.stack[0].line, quick.stack[0].function], [HANDLERS_PATH, line, 'order']);
      assert.ok(quick.stack.every((f) => !f.file.includes('dist/debug')), 'no frame of tracekit or of the condition');

      // A getter is shown, never run.
      const getter = await installed(service, HANDLERS_PATH, lineOf(HANDLERS, 'getter'));
      await hit(app, '/getter');
      const [g] = await waitForSnapshots(collector, getter.id);
      const gBody = await snapshotBody(collector, g.id);
      assert.equal(valueAt(gBody.variables, 'tricky', 'expensive')?.type, 'getter');
      assert.equal(JSON.parse((await get(`${app.url}/getter-ran`)).body).ran, false);

      // Disabled: the app stops pausing there (no further snapshot however often it runs).
      await patchBreakpoint(collector, id, { enabled: false });
      await deleteBreakpoint(collector, getter.id);
      await new Promise((r) => setTimeout(r, 1500));
      const count = (await snapshots(collector, `breakpoint=${id}`)).length;
      await hit(app, '/orders/8', 3, 400);
      await new Promise((r) => setTimeout(r, 800));
      assert.equal((await snapshots(collector, `breakpoint=${id}`)).length, count);

      // Switched on again: it captures again, and from its second hit without a pause.
      await patchBreakpoint(collector, id, { enabled: true, intervalMs: 100 });
      assert.equal(typeof (await nextSnapshot(app, id, '/orders/10')).pauseMs, 'number');
      const again = await nextSnapshot(app, id, '/orders/11');
      assertUnpaused(again);
      assert.equal(str(again, 'orderId'), 11);
    });
  });

  it('evaluates a condition only on the paused frame, and says so when it keeps failing', async () => {
    const service = 'debug-condition';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      const line = lineOf(HANDLERS, 'order');
      const { id } = await installed(service, HANDLERS_PATH, line, { condition: 'orderId === 5', intervalMs: 100 });
      await hit(app, '/orders/4', 4, 150);
      await hit(app, '/orders/5', 1);
      const list = await waitForSnapshots(collector, id);
      await new Promise((r) => setTimeout(r, 500));
      const bodies = await Promise.all((await snapshots(collector, `breakpoint=${id}`)).map((s) => snapshotBody(collector, s.id)));
      assert.ok(list.length >= 1);
      assert.ok(bodies.every((b) => str(b, 'orderId') === 5), 'only orderId 5 was captured');

      // A condition with a side effect is refused by the side-effect check, every time.
      const bad = await installed(service, HANDLERS_PATH, line, { condition: '(globalThis.touched = 1) > 0', intervalMs: 100 });
      await hit(app, '/orders/9', 24, 120);
      const state = await waitForState(collector, service, bad.id, 'error');
      assert.match(state.message ?? '', /condition failed 20 times/);
      assert.equal(JSON.parse((await get(`${app.url}/getter-ran`)).body).ran, null, 'app still serving');
      assert.equal((await snapshots(collector, `breakpoint=${bad.id}`)).length, 0);
    });
  });

  it('log points write a log record or a span event from a template, side-effect free and redacted', async () => {
    const service = 'debug-logpoint';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      const line = lineOf(HANDLERS, 'order');
      const lp = await installed(service, HANDLERS_PATH, line, { logTemplate: 'order {orderId} for {customer.name}, key {customer.apiKey}, {{literal}}' });
      await hit(app, '/orders/31');
      const log = await eventually(async () => (await collector.api<{ logs: { body: string; traceId: string | null; attributes: Record<string, unknown> }[] }>(`logs?service=${service}&q=order%2031`)).logs[0], 'the log point line');
      assert.equal(log.body, 'order 31 for Ada, key REDACTED, {literal}');
      assert.equal(log.attributes['tracekit.breakpoint.id'], lp.id);
      assert.match(log.traceId ?? '', /^[0-9a-f]{32}$/);
      await deleteBreakpoint(collector, lp.id);

      const ev = await installed(service, HANDLERS_PATH, line, { logTemplate: 'total is {total}', logTarget: 'span-event' });
      await new Promise((r) => setTimeout(r, 300));
      await hit(app, '/orders/32');
      const event = await eventually(async () => {
        const traces = await collector.api<{ traceId: string; route: string | null }[]>(`traces?service=${service}&limit=20`);
        for (const t of traces) {
          const detail = await collector.api<{ spans: { events: { name: string; attributes: Record<string, unknown> }[] }[] }>(`traces/${t.traceId}`);
          for (const s of detail.spans) {
            const e = s.events.find((x) => x.name === 'tracekit.logpoint' && x.attributes['tracekit.breakpoint.id'] === ev.id);
            if (e !== undefined) return e;
          }
        }
        return undefined;
      }, 'the log point span event');
      assert.equal(event.attributes['log.message'], 'total is 42.5');
    });
  });

  it('stays pending until its file loads, and a never-loaded file stays pending', async () => {
    const service = 'debug-pending';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      const never = await createBreakpoint(collector, { service, file: 'fixtures/debug/never.cjs', line: lineOf('debug/never.cjs', 'never') });
      const later = await createBreakpoint(collector, { service, file: 'fixtures/debug/later.cjs', line: lineOf('debug/later.cjs', 'later') });
      await waitForState(collector, service, later.id, 'pending');
      // The file loads inside this request, and the breakpoint binds before its line runs.
      await hit(app, '/load-later?n=4');
      await waitForState(collector, service, later.id, 'installed');
      const [s] = await waitForSnapshots(collector, later.id);
      const body = await snapshotBody(collector, s.id);
      assert.equal(str(body, 'n'), 4);
      assert.equal(valueAt(body.variables, 'squares')?.size, 4);
      const missing = await createBreakpoint(collector, { service, file: 'fixtures/debug/nope.cjs', line: 3 });
      const err = await waitForState(collector, service, missing.id, 'error');
      assert.match(err.message ?? '', /no such file/);
      const state = (await breakpoints(collector, service)).find((b) => b.id === never.id)?.instances[0];
      assert.equal(state?.state, 'pending');
    });
  });

  it('a variable declared further down the line\'s block reads as undefined in a capture without a pause, as when paused, and the app\'s answer is unchanged', async () => {
    const service = 'debug-tdz';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      const { id } = await installed(service, HANDLERS_PATH, lineOf(HANDLERS, 'timed'), { intervalMs: 100 });
      await hit(app, '/timed-orders/3');
      const [first] = await waitForSnapshots(collector, id);
      const paused = await snapshotBody(collector, first.id);
      assert.ok(typeof paused.pauseMs === 'number', 'the first capture pauses and learns the names');
      const quick = await nextSnapshot(app, id, '/timed-orders/3');
      assertUnpaused(quick);
      assert.deepEqual(quick.variables.map(([name]) => name), paused.variables.map(([name]) => name));
      assert.equal(str(quick, 'orderId'), 3);
      assert.equal(typeof str(quick, 'startedMs'), 'number');
      assert.equal(valueAt(quick.variables, 'n')?.type, 'undefined', '`n` is not initialised yet at the line');
      assert.equal(valueAt(paused.variables, 'n')?.type, 'undefined');
      const answer = JSON.parse((await get(`${app.url}/timed-orders/3`)).body) as { orderId: number; total: number; n: number };
      assert.deepEqual([answer.orderId, answer.total, answer.n], [3, 42.5, 3]);
    });
  });

  it('an app whose Error.prepareStackTrace throws keeps running; the capture goes without its stack', async () => {
    const service = 'debug-throwing-stacks';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      const { id } = await installed(service, HANDLERS_PATH, lineOf(HANDLERS, 'timed'), { intervalMs: 100 });
      await hit(app, '/timed-orders/3');
      await waitForSnapshots(collector, id);
      await hit(app, '/throwing-stacks?on=1');
      try {
        const quick = await nextSnapshot(app, id, '/timed-orders/4');
        assertUnpaused(quick);
        assert.equal(str(quick, 'orderId'), 4);
        assert.deepEqual(quick.stack, []);
      } finally {
        await hit(app, '/throwing-stacks?on=0');
      }
      await hit(app, '/timed-orders/5');
      assert.doesNotMatch(app.stderr(), /prepareStackTrace failed/);
    });
  });

  it('a `debugger` statement does not stop the app while breakpoints are set', async () => {
    const service = 'debug-statement';
    await withApp('debug/app.cjs', monitored(service), async (app) => {
      await installed(service, HANDLERS_PATH, lineOf(HANDLERS, 'order'));
      const r = await Promise.race([get(`${app.url}/debugger-statement`), new Promise<undefined>((res) => setTimeout(res, 10_000))]);
      assert.equal(r?.status, 200);
    });
  });
});

describe('code monitoring on every module system and Node line', () => {
  for (const node of NODES) {
    it(`ES module app: captureSnapshot and a file:line breakpoint (${node.name})`, async () => {
      const service = `debug-esm-${node.name}`;
      await withApp('debug/app.mjs', monitored(service, { node: node.bin }), async (app) => {
        const line = lineOf('debug/app.mjs', 'esm-order');
        const { id, boundLine } = await installed(service, 'fixtures/debug/app.mjs', line);
        assert.equal(boundLine, line);
        await hit(app, '/orders/12');
        const [s] = await waitForSnapshots(collector, id);
        const body = await snapshotBody(collector, s.id);
        assert.equal(str(body, 'orderId'), 12);
        assert.equal(str(body, 'note'), 'esm order 12');
        const quick = await nextSnapshot(app, id, '/orders/13');
        assertUnpaused(quick);
        assert.equal(str(quick, 'note'), 'esm order 13');
        assert.equal(quick.stack[0].line, line);

        await hit(app, '/checkout');
        const site = await waitForBreakpoint(collector, service, 'the esm site', (b) => b.label === 'esm-checkout');
        assert.equal(site.file, 'fixtures/debug/app.mjs');
        await patchBreakpoint(collector, site.id, { enabled: true });
        const snap = await eventually(async () => {
          await hit(app, '/checkout');
          return (await snapshots(collector, `breakpoint=${site.id}`))[0];
        }, 'the esm snapshot');
        const sBody = await snapshotBody(collector, snap.id);
        assert.equal(str(sBody, 'basket', 'coupon'), 'SPRING');
        assert.equal(valueAt(sBody.variables, 'password')?.type, 'redacted');
      });
    });
  }

  for (const node of NODES.slice(1)) {
    it(`CommonJS app: a file:line breakpoint, paused and then without a pause (${node.name})`, async () => {
      const service = `debug-cjs-${node.name}`;
      await withApp('debug/app.cjs', monitored(service, { node: node.bin }), async (app) => {
        const line = lineOf(HANDLERS, 'order');
        const { id, boundLine } = await installed(service, HANDLERS_PATH, line, { intervalMs: 100 });
        assert.equal(boundLine, line);
        await hit(app, '/orders/14?tier=silver');
        const [s] = await waitForSnapshots(collector, id);
        const paused = await snapshotBody(collector, s.id);
        assert.ok(typeof paused.pauseMs === 'number');
        assert.equal(str(paused, 'customer', 'tier'), 'silver');
        const quick = await nextSnapshot(app, id, '/orders/15');
        assertUnpaused(quick);
        assert.equal(str(quick, 'orderId'), 15);
        assert.equal(valueAt(quick.variables, 'sessionToken')?.type, 'redacted');
        assert.equal(quick.request?.route, '/orders/:id');
        assert.deepEqual([quick.stack[0].file, quick.stack[0].line], [HANDLERS_PATH, line]);
      });
    });
  }

  const node24 = NODES.find((n) => n.name === 'node24');
  it('TypeScript run by Node 24\'s type stripping: breakpoints on the .ts lines', { skip: node24 === undefined && 'Node 24 is not installed (test/versions/install.cjs)' }, async () => {
    const service = 'debug-ts-strip';
    await withApp('debug/app.ts', monitored(service, { node: node24?.bin }), async (app) => {
      const line = lineOf('debug/app.ts', 'ts-order');
      const { id, boundLine } = await installed(service, 'fixtures/debug/app.ts', line);
      assert.equal(boundLine, line);
      await hit(app, '/orders/21');
      const [s] = await waitForSnapshots(collector, id);
      const body = await snapshotBody(collector, s.id);
      assert.equal(str(body, 'doubled'), 42);
      assert.equal(str(body, 'order', 'label'), 'typed');
      assert.equal(body.stack[0].line, line);
    });
  });

  it('a source-mapped tsc build: the breakpoint is set on the .ts line and binds in the built .js', async () => {
    const service = 'debug-ts-mapped';
    const out = mkdtempSync(join(tmpdir(), 'tracekit-mapped-'));
    const src = join(FIXTURES, 'debug', 'mapped', 'app.ts');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--sourceMap', '--outDir', out, '--module', 'commonjs', '--target', 'es2019', '--rootDir', join(FIXTURES, 'debug', 'mapped'), src]);
    const built = join(out, 'app.js');
    assert.notEqual(readFileSync(built, 'utf8').split('\n').findIndex((l) => l.includes('res.json({ invoice, summary })')) + 1, lineOf('debug/mapped/app.ts', 'mapped-invoice'), 'the built line differs from the source line');
    writeFileSync(join(out, 'package.json'), '{}');
    const app = await startApp(relative(FIXTURES, built), monitored(service, { env: { NODE_PATH: join(ROOT, 'node_modules') } }));
    try {
      const line = lineOf('debug/mapped/app.ts', 'mapped-invoice');
      const { id, boundLine } = await installed(service, src, line);
      assert.equal(boundLine, line);
      await hit(app, '/invoices/4');
      const [s] = await waitForSnapshots(collector, id);
      const body = await snapshotBody(collector, s.id);
      assert.equal(str(body, 'summary'), 'invoice 4');
      assert.equal(str(body, 'invoice', 'amount'), 6);
      assert.equal(body.stack[0].line, line, 'the stack shows the .ts line');
      const quick = await nextSnapshot(app, id, '/invoices/5');
      assertUnpaused(quick);
      assert.equal(str(quick, 'summary'), 'invoice 5');
      assert.deepEqual([quick.stack[0].file, quick.stack[0].line], [body.stack[0].file, line], 'the stack of a capture without a pause is mapped too');
    } finally {
      await app.stop();
    }
  });
});

describe('code monitoring stays out of the way', () => {
  it('an app started with --inspect gets no breakpoints, says why, and keeps serving', async () => {
    const service = 'debug-inspect';
    await withApp('debug/app.cjs', monitored(service, { nodeFlags: ['--inspect=127.0.0.1:0'] }), async (app) => {
      await hit(app, '/checkout');
      const bp = await createBreakpoint(collector, { service, file: HANDLERS_PATH, line: lineOf(HANDLERS, 'order') });
      const state = await waitForState(collector, service, bp.id, 'error');
      assert.match(state.message ?? '', /inspector port open/);
      await hit(app, '/orders/3', 3);
      assert.equal((await snapshots(collector, `breakpoint=${bp.id}`)).length, 0);
      assert.match(app.stderr(), /--inspect/);
    });
  });

  it('is off by default: captureSnapshot registers nothing and the agent never polls', async () => {
    const service = 'debug-off';
    await withApp('debug/app.cjs', { env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: service } }, async (app) => {
      await hit(app, '/checkout', 3);
      await new Promise((r) => setTimeout(r, 1000));
      const answer = await collector.api<{ breakpoints: unknown[]; listeners: Record<string, string[]> }>(`debug/breakpoints?service=${service}`);
      assert.deepEqual(answer.breakpoints, []);
      assert.deepEqual(answer.listeners[service], []);
    });
  });

  it('takes no breakpoints from a collector beyond this machine without an API key', async () => {
    await withApp('debug/app.cjs', { env: { TRACEKIT_ENDPOINT: 'http://collector.example.invalid:4318', TRACEKIT_SERVICE_NAME: 'debug-remote', TRACEKIT_CODE_MONITORING: 'true' } }, async (app) => {
      await hit(app, '/checkout');
      assert.match(app.stderr(), /code monitoring is off: the collector \(collector\.example\.invalid:4318\) is not on this machine and no API key is set/);
    });
  });
});

/** This machine's first IPv4 address that is not loopback, if it has one. */
function outwardAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('code monitoring with a collector beyond this machine', () => {
  const address = outwardAddress();
  it('takes breakpoints when the agent has the collector\'s API key, and the debug API wants the key too', { skip: address === undefined && 'no network address besides loopback' }, async () => {
    const key = 'debug-remote-key-0123456789';
    const remote = await startCollectorProcess({ args: ['--host', '0.0.0.0', '--api-key', key] });
    try {
      const url = `http://${address}:${new URL(remote.url).port}`;
      const service = 'debug-remote-key';
      const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
        const res = await fetch(`${url}/api/debug/${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json' } });
        assert.equal(res.status < 300, true, `${path}: ${res.status}`);
        return (await res.json()) as T;
      };
      assert.equal((await fetch(`${url}/api/debug/breakpoints?service=${service}`)).status, 401);
      assert.equal((await fetch(`${url}/api/debug/breakpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
      await withApp('debug/app.cjs', { env: { TRACEKIT_ENDPOINT: url, TRACEKIT_API_KEY: key, TRACEKIT_SERVICE_NAME: service, TRACEKIT_CODE_MONITORING: 'true' } }, async (app) => {
        const line = lineOf(HANDLERS, 'order');
        const bp = await api<{ id: string }>('breakpoints', { method: 'POST', body: JSON.stringify({ service, file: HANDLERS_PATH, line }) });
        await eventually(async () => (await api<{ breakpoints: { id: string; instances: { state: string }[] }[] }>(`breakpoints?service=${service}`)).breakpoints.find((b) => b.id === bp.id)?.instances.find((i) => i.state === 'installed'), 'installed through the remote collector');
        // A pause cut by its cap (a slow host, a cold inspector) is marked and lacks some
        // locals, so wait for a capture that holds the order's id: what is under test is the
        // key, not how much one pause can read.
        const body = await eventually(async () => {
          await hit(app, '/orders/16');
          for (const snap of await api<{ id: string }[]>(`snapshots?breakpoint=${bp.id}`)) {
            const { body: b } = await api<{ body: SnapshotBody }>(`snapshots/${snap.id}`);
            if (str(b, 'orderId') !== undefined) return b;
          }
          return undefined;
        }, 'a snapshot through the remote collector');
        assert.equal(str(body, 'orderId'), 16);
        assert.doesNotMatch(app.stderr(), /code monitoring is off|refused the API key/);
      });
    } finally {
      await remote.stop();
    }
  });
});

describe('the breakpoint API', () => {
  it('refuses malformed breakpoints with 400, unknown ids with 404, and writes not sent as JSON', async () => {
    const post = (body: unknown, type = 'application/json') => fetch(`${collector.url}/api/debug/breakpoints`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    for (const [body, why] of [
      [{ file: 'a.js', line: 3 }, /service/],
      [{ service: 's', line: 3 }, /file/],
      [{ service: 's', file: 'a.js', line: 0 }, /line/],
      [{ service: 's', file: 'a.js', line: 2, maxHits: 5000 }, /maxHits/],
      [{ service: 's', file: 'a.js', line: 2, intervalMs: 1 }, /intervalMs/],
      [{ service: 's', file: 'a.js', line: 2, logTarget: 'stdout', logTemplate: 'x' }, /logTarget/],
      ['{not json', /JSON/],
    ] as const) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(((await r.json()) as { error: string }).error, why);
    }
    const plain = await post({ service: 's', file: 'a.js', line: 2 }, 'text/plain');
    assert.equal(plain.status, 400, 'a cross-site form post (text/plain) is refused');
    assert.equal((await fetch(`${collector.url}/api/debug/breakpoints/bp_000000000000`, { method: 'DELETE' })).status, 404);
    assert.equal((await fetch(`${collector.url}/api/debug/snapshots/0000000000000000`)).status, 404);
    assert.equal((await fetch(`${collector.url}/api/debug/snapshots?traceId=xyz`)).status, 400);
    assert.equal((await fetch(`${collector.url}/api/status`)).status, 200, 'the collector keeps serving');
  });

  it('answers an agent\'s long poll as soon as a breakpoint changes', async () => {
    const service = 'debug-longpoll';
    const first = (await (await fetch(`${collector.url}/api/debug/agent?service=${service}&instance=t&version=&wait=0`)).json()) as { version: string };
    const started = Date.now();
    const waiting = fetch(`${collector.url}/api/debug/agent?service=${service}&instance=t&version=${encodeURIComponent(first.version)}&wait=20000`).then(async (r) => ({ at: Date.now(), body: (await r.json()) as { version: string; breakpoints: { id: string }[] } }));
    await new Promise((r) => setTimeout(r, 300));
    const bp = await createBreakpoint(collector, { service, file: 'x.js', line: 1 });
    const answer = await waiting;
    assert.notEqual(answer.body.version, first.version);
    assert.deepEqual(answer.body.breakpoints.map((b) => b.id), [bp.id]);
    assert.ok(answer.at - started < 15_000, 'answered by the change, not by the 20 s wait');
  });
});
