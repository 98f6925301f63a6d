/**
 * Where each route is declared (`file:line`, from the route inventory), keyed
 * `service METHOD route` as the routes table and the trace list name requests. An `ALL` route
 * answers every method, so it is filed under each method it was requested with.
 */
import type { InventoryRoute } from './types';

/** The declaration sites of `declared`, with `ALL` routes spread over the methods in `requested`. */
export function routeSites(declared: InventoryRoute[], requested: { service: string; method: string | null; route: string }[] = []): Map<string, string> {
  const sites = new Map<string, string>();
  for (const r of declared) if (r.file !== '') sites.set(`${r.service} ${r.method} ${r.route}`, `${r.file}:${r.line}`);
  for (const r of declared) {
    if (r.file === '' || r.method !== 'ALL') continue;
    for (const m of requested) {
      const k = `${m.service} ${m.method} ${m.route}`;
      if (m.service === r.service && m.route === r.route && !sites.has(k)) sites.set(k, `${r.file}:${r.line}`);
    }
  }
  return sites;
}
