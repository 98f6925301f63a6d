/**
 * The demo shop under the agent, as the dashboard tests see it: a real `tracekit start`, the
 * inventory and shop services (PostgreSQL, MySQL, an N+1 route, an outgoing call, a failing
 * route, a 404) run as children under the real preload, a fixed set of requests, and both
 * services stopped once everything they sent is stored.
 */
import assert from 'node:assert/strict';
import { get, startApp } from './app';
import { eventually, startCollectorProcess, type CollectorProcess } from './collector';

/** Each path and how often it is requested, with the status it must answer. */
export const SHOP_TRAFFIC: { path: string; times: number; status: number }[] = [
  { path: '/', times: 4, status: 200 },
  { path: '/products', times: 3, status: 200 },
  { path: '/products/featured', times: 3, status: 200 },
  { path: '/orders/1', times: 2, status: 200 },
  { path: '/checkout/3', times: 3, status: 200 },
  { path: '/payments/charge', times: 2, status: 500 },
  { path: '/%3Cimg%20src=x%20onerror=alert(1)%3E', times: 1, status: 404 },
];
export const SHOP_REQUESTS = SHOP_TRAFFIC.reduce((n, t) => n + t.times, 0);

export interface ShopRun {
  collector: CollectorProcess;
  /** host:port of the inventory service, as the shop's outgoing calls name it. */
  inventoryHost: string;
}

/** Starts the collector (with `collectorArgs`), runs the shop's traffic and waits until it is all stored. */
export async function runShop(collectorArgs: string[] = []): Promise<ShopRun> {
  const collector = await startCollectorProcess({ args: collectorArgs });
  const agentEnv = { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_METRICS_INTERVAL: '500' };
  const inventory = await startApp('shop/inventory.cjs', { env: { ...agentEnv, TRACEKIT_SERVICE_NAME: 'inventory' } });
  const shop = await startApp('shop/app.cjs', { env: { ...agentEnv, TRACEKIT_SERVICE_NAME: 'shop', INVENTORY_URL: inventory.url } });
  try {
    for (const t of SHOP_TRAFFIC) {
      for (let i = 0; i < t.times; i++) assert.equal((await get(shop.url + t.path)).status, t.status, t.path);
    }
    // The route inventory goes out a second after the routes are registered: wait for it.
    await eventually(async () => ((await collector.api<{ routes: unknown[] }>('code/routes?service=shop')).routes.length > 0 ? true : undefined), 'the shop\'s route inventory');
  } finally {
    await shop.stop();
    await inventory.stop();
  }
  await eventually(async () => ((await collector.api<{ requests: number }>('overview?service=shop&window=5m')).requests === SHOP_REQUESTS ? true : undefined), `${SHOP_REQUESTS} requests stored`);
  return { collector, inventoryHost: `127.0.0.1:${inventory.port}` };
}
