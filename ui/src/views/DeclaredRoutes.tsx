/**
 * The routes the app declared (in the chosen folder), each with where it is declared and its
 * figures for the window. Routes nobody requested are marked "never hit".
 */
import * as fmt from '../lib/format';
import type { InventoryRoute, RouteInventoryView } from '../lib/types';

interface Props { view: RouteInventoryView; showService: boolean; onTraces(r: InventoryRoute): void }

export function DeclaredRoutes({ view, showService, onTraces }: Props) {
  return (
    <section class="panel declared-routes" id="declared-routes" aria-label="declared routes">
      <h2>Routes</h2>
      {view.routes.length === 0 ? (
        <p class="empty">No routes declared here.</p>
      ) : (
        <div class="scroll">
          <table class="data">
            <thead>
              <tr>
                {showService && <th>service</th>}
                <th>route</th>
                <th title="where the route is declared">declared at</th>
                <th>handler</th>
                <th class="num" title="requests per second">rate</th>
                <th class="num" title="share of requests that failed">err %</th>
                <th class="num" title="95th percentile latency">p95</th>
                <th class="num" title="the last request in the window">last hit</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {view.routes.map((r) => (
                <tr key={`${r.service} ${r.method} ${r.route} ${r.file}:${r.line}`} class={r.neverHit ? 'never-hit' : ''} data-route={`${r.method} ${r.route}`} data-never-hit={r.neverHit ? 'true' : 'false'}>
                  {showService && <td>{r.service}</td>}
                  <td class="route">
                    {r.method} {r.route}
                    {r.neverHit && <span class="badge idle" title="no request in this window">never hit</span>}
                    {r.kind === 'middleware' && <span class="muted"> (middleware)</span>}
                  </td>
                  <td class="site"><code>{r.file === '' ? '–' : `${r.file}:${r.line}`}</code></td>
                  <td>{r.function}</td>
                  <td class="num">{r.requests === 0 ? '–' : fmt.rate(r.rate)}</td>
                  <td class="num">{r.kind === 'middleware' || r.requests === 0 ? '–' : fmt.pct(r.errorPct)}</td>
                  <td class="num">{fmt.ms(r.p95Ms)}</td>
                  <td class="num">{r.lastHitMs === null ? '–' : fmt.time(r.lastHitMs)}</td>
                  <td class="actions">
                    {r.requests > 0 && <button type="button" class="small" onClick={() => onTraces(r)}>traces</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
