/**
 * The Debug view in real Chromium, against a real collector and the debugging fixture app
 * under the agent with code monitoring on: a breakpoint added through the form binds, a
 * snapshot arrives and opens, and every value (a hostile one included) is shown as text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { get, startApp, type RunningApp } from './helpers/app';
import { launchBrowser, screenshot, watchPage } from './helpers/browser';
import { eventually, startCollectorProcess, type CollectorProcess } from './helpers/collector';
import { lineOf } from './helpers/debug';

const SCRIPT = '<img src=x onerror=alert(1)>';
const DIR = 'dashboard';

describe('Debug view in Chromium', () => {
  let collector: CollectorProcess;
  let app: RunningApp;
  let browser: Browser;

  before(async () => {
    collector = await startCollectorProcess();
    app = await startApp('debug/app.cjs', { env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: 'debug-ui', TRACEKIT_CODE_MONITORING: 'true' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await collector?.stop();
  });

  it('set a breakpoint, see it installed, see a snapshot arrive and open it, values as text', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.goto(`${collector.url}/?service=debug-ui&view=debug`);
    await page.waitForSelector('#add-breakpoint');
    const line = lineOf('debug/handlers.cjs', 'order');
    await page.fill('#add-breakpoint input[name=file]', 'fixtures/debug/handlers.cjs');
    await page.fill('#add-breakpoint input[name=line]', String(line));
    await page.click('#add-breakpoint button[type=submit]');
    const row = page.locator('#breakpoints tbody tr').first();
    await eventually(async () => ((await row.locator('.bp-state').innerText()).includes('installed') ? true : undefined), 'the row to say installed');
    assert.equal(await row.locator('input[type=checkbox]').isChecked(), true);

    assert.equal((await get(`${app.url}/orders/77?tier=${encodeURIComponent(SCRIPT)}`)).status, 200);
    const item = page.locator('#snapshots li button').first();
    await item.waitFor({ timeout: 15000 });
    await item.click();
    await page.waitForSelector('#snapshot-vars');
    const vars = await page.locator('#snapshot-vars').innerText();
    assert.match(vars, /orderId: 77/);
    assert.ok(vars.includes(`tier: "${SCRIPT}"`), vars);
    assert.match(vars, /apiKey: REDACTED/);
    assert.match(await page.locator('#snapshot-view').innerText(), new RegExp(`order fixtures/debug/handlers\\.cjs:${line}`));
    await screenshot(page, DIR, 'debug-view');

    // The snapshot links to its trace, and the trace's span back to the snapshot.
    const snapshotId = await page.locator('#snapshot-view').getAttribute('data-snapshot-open');
    await page.click('#snapshot-trace');
    await page.waitForSelector('.wf-row', { timeout: 15000 });
    const snap = (await collector.api<{ spanId: string }[]>('debug/snapshots?service=debug-ui'))[0];
    await page.click(`.wf-row[data-span-id="${snap.spanId}"]`);
    await page.click(`a[data-span-snapshot="${snapshotId}"]`);
    await page.waitForSelector(`#snapshot-view[data-snapshot-open="${snapshotId}"]`, { timeout: 15000 });

    // Switched off from the view: the collector has it disabled.
    await page.goto(`${collector.url}/?service=debug-ui&view=debug`);
    await page.locator('#breakpoints tbody tr input[type=checkbox]').first().click();
    await eventually(async () => ((await collector.api<{ breakpoints: { enabled: boolean }[] }>('debug/breakpoints?service=debug-ui')).breakpoints.every((b) => !b.enabled) ? true : undefined), 'the breakpoint off');
    const dom = await page.evaluate(() => document.querySelectorAll('img').length);
    assert.equal(dom, 0);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(await watch.cspViolations(), []);
    await context.close();
  });

  it('the form suggests files, and the known lines of the chosen file; a suggested line fills the form', async () => {
    assert.equal((await get(`${app.url}/checkout`)).status, 200);
    const site = lineOf('debug/handlers.cjs', 'checkout');
    await eventually(async () => ((await collector.api<{ breakpoints: { label?: string }[] }>('debug/breakpoints?service=debug-ui')).breakpoints.some((b) => b.label === 'checkout-validation') ? true : undefined), 'the captureSnapshot site');
    await eventually(async () => ((await collector.api<{ routes: unknown[] }>('code/routes?service=debug-ui&window=24h')).routes.length > 0 ? true : undefined), 'the route inventory');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.goto(`${collector.url}/?service=debug-ui&view=debug`);
    await page.waitForSelector('#add-breakpoint');
    await eventually(async () => {
      const files = await page.locator('#bp-files option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      return files.includes('fixtures/debug/handlers.cjs') && files.includes('fixtures/debug/app.cjs') ? true : undefined;
    }, 'file suggestions from the sites and the routes');

    await page.fill('#add-breakpoint input[name=file]', 'fixtures/debug/app.cjs');
    assert.match(await page.locator('#bp-line-hints').innerText(), /declares GET \/orders\/:id \(runs at start-up; its handler is order\)/);
    await page.fill('#add-breakpoint input[name=file]', 'fixtures/debug/handlers.cjs');
    const hint = page.locator(`#bp-line-hints button[data-line="${site}"]`);
    assert.match(await page.locator('#bp-line-hints li').filter({ has: page.locator(`button[data-line="${site}"]`) }).innerText(), /captureSnapshot "checkout-validation" in checkout/);
    await hint.click();
    assert.equal(await page.inputValue('#add-breakpoint input[name=line]'), String(site));
    await page.click('#add-breakpoint button[type=submit]');
    await eventually(async () => ((await collector.api<{ breakpoints: { kind: string; line: number; instances: { state: string }[] }[] }>('debug/breakpoints?service=debug-ui')).breakpoints.find((b) => b.kind === 'line' && b.line === site)?.instances.some((i) => i.state === 'installed') ? true : undefined), 'the suggested line installed');
    assert.deepEqual(watch.pageErrors, []);
    await context.close();
  });
});
