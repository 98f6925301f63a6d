/**
 * Debian's Chromium driven by playwright-core, started the way this machine allows (no
 * sandbox as root, no GPU, no background connections to Google). Screenshots go to
 * test-artifacts/ so CI keeps them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './app';

declare global {
  /** What the dashboard exposes for inspection (ui/src/lib/debug.ts). */
  interface Window { tracekitDebug: { charts: Record<string, unknown>; graphs: Record<string, unknown>; firstRenderMs?: number } }
}

export const CHROMIUM = process.env.TRACEKIT_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Saves a full-page screenshot as test-artifacts/<dir>/<name>.png. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  const folder = join(ARTIFACTS, dir);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Records what must never happen on a dashboard page (a dialog from an injected alert, an
 * uncaught exception, a CSP violation) and every URL the page asks for. Call before the
 * first navigation.
 */
export async function watchPage(page: Page): Promise<{ dialogs: string[]; pageErrors: string[]; requests: string[]; cspViolations(): Promise<string[]> }> {
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const pageErrors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    dialogs,
    pageErrors,
    requests,
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
  };
}
