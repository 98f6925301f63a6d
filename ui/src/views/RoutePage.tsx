/**
 * One route's page: its numbers, latency histogram and status codes, slowest and most recent
 * traces, the queries and outgoing calls its requests made, and the errors raised in them.
 */
import { useEffect } from 'preact/hooks';
import { markReady } from '../lib/debug';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import { requestLabel } from '../lib/request-label';
import type { RouteDistribution, RouteView, TraceSummary } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void; onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void }

/** Bucket labels: "≤ 5 ms" for each upper bound, "> 10 s" for the open last bucket. */
function bucketLabels(boundsMs: number[]): string[] {
  return [...boundsMs.map((b) => `≤ ${fmt.ms(b)}`), boundsMs.length === 0 ? 'all' : `> ${fmt.ms(boundsMs[boundsMs.length - 1])}`];
}

function Histogram({ d }: { d: RouteDistribution }) {
  // Empty buckets beyond the first and last non-empty ones are left out.
  const first = d.counts.findIndex((c) => c > 0);
  let last = d.counts.length - 1;
  while (last >= 0 && d.counts[last] === 0) last--;
  if (first < 0) return <p class="empty">No requests in this window.</p>;
  const labels = bucketLabels(d.boundsMs);
  const peak = Math.max(...d.counts);
  return (
    <div class="histogram" id="route-histogram" role="img" aria-label="latency histogram">
      {d.counts.slice(first, last + 1).map((c, i) => (
        <div class="hist-col" key={i} data-bucket={labels[first + i]} data-count={c} title={`${labels[first + i]}: ${fmt.count(c)} requests`}>
          <span class="hist-count">{c > 0 ? fmt.count(c) : ''}</span>
          <span class="hist-bar" style={{ height: `${peak === 0 ? 0 : Math.max(c > 0 ? 2 : 0, (c / peak) * 80)}%` }} />
          <span class="hist-label">{labels[first + i]}</span>
        </div>
      ))}
    </div>
  );
}

function TraceList({ id, title, traces, onOpen }: { id: string; title: string; traces: TraceSummary[]; onOpen(traceId: string): void }) {
  return (
    <div class="route-traces" id={id}>
      <h3>{title}</h3>
      {traces.length === 0 ? (
        <p class="empty">None in this window.</p>
      ) : (
        <table class="data">
          <tbody>
            {traces.map((t) => (
              <tr key={t.traceId} class={t.error ? 'bad' : ''} data-trace-id={t.traceId}>
                <td>
                  <a href={`?view=traces&trace=${t.traceId}`} onClick={(e) => { e.preventDefault(); onOpen(t.traceId); }}>{fmt.time(t.startMs)}</a>
                </td>
                <td class="num">{t.httpStatus ?? (t.error ? 'error' : '–')}</td>
                <td class="num">{fmt.ms(t.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function RoutePage({ state, onChange, onStatus }: Props) {
  const polled = usePoll(
    () => api<RouteView>('route', { ...scopeParams(state), method: state.method, route: state.route }),
    [state.service, state.window, state.from, state.to, state.method, state.route],
    5000,
  );
  useEffect(() => onStatus({ updatedMs: polled.updatedMs, error: polled.error }), [polled.updatedMs, polled.error]);
  useEffect(() => {
    if (polled.data !== undefined) markReady();
  }, [polled.data]);
  const openTrace = (traceId: string, spanId = ''): void => onChange({ view: 'traces', trace: traceId, span: spanId });
  const title = requestLabel(state.method === '' ? null : state.method, state.route);
  const d = polled.data;
  const f = d?.figures ?? null;
  const totalStatus = d === undefined ? 0 : d.distribution.statuses.reduce((n, s) => n + s.requests, 0);
  return (
    <div class="route-page">
      <section class="panel" id="route-head" aria-label="route">
        <p class="crumbs">
          <a href="?" onClick={(e) => { e.preventDefault(); onChange({ view: 'overview', route: '', method: '' }); }}>Overview</a> › {state.service}
        </p>
        <h2 id="route-title">{title}</h2>
        {polled.error && <p class="error-text">{polled.error.message}</p>}
        {d !== undefined && f === null && <p class="empty">No requests to this route in this window.</p>}
        {f !== null && (
          <div class="tiles" id="route-figures">
            {[
              ['requests', fmt.count(f.requests), 'requests'],
              ['rate', fmt.rate(f.rate), 'rate'],
              ['errors', fmt.pct(f.errorPct), 'error rate'],
              ['p50', fmt.ms(f.p50Ms), 'p50'],
              ['p95', fmt.ms(f.p95Ms), 'p95'],
              ['p99', fmt.ms(f.p99Ms), 'p99'],
              ['dbq', fmt.avg(f.dbQueriesPerRequest), 'DB queries/request'],
              ['out', fmt.avg(f.outgoingPerRequest), 'outgoing/request'],
            ].map(([id, text, label]) => (
              <div class="tile" key={id} data-tile={id}>
                <span class="tile-label">{label}</span>
                <span class="tile-value">{text}</span>
              </div>
            ))}
          </div>
        )}
        <button type="button" class="small" onClick={() => onChange({ view: 'traces', trace: '' })}>all traces of this route</button>
      </section>
      {d !== undefined && (
        <>
          <div class="two-col">
            <section class="panel" aria-label="latency histogram">
              <h2>Latency</h2>
              <Histogram d={d.distribution} />
            </section>
            <section class="panel" id="route-statuses" aria-label="status codes">
              <h2>Status codes</h2>
              {d.distribution.statuses.length === 0 ? (
                <p class="empty">No requests in this window.</p>
              ) : (
                <table class="data">
                  <tbody>
                    {d.distribution.statuses.map((s) => (
                      <tr key={String(s.status)} class={(s.status ?? 0) >= 500 ? 'bad' : ''} data-status={s.status ?? ''}>
                        <td>{s.status ?? 'no status'}</td>
                        <td class="num" data-col="requests">{fmt.count(s.requests)}</td>
                        <td class="num">{fmt.pct(totalStatus === 0 ? null : (100 * s.requests) / totalStatus)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
          <section class="panel two-col" aria-label="traces">
            <TraceList id="route-slowest" title="Slowest" traces={d.slowest} onOpen={openTrace} />
            <TraceList id="route-recent" title="Most recent" traces={d.recent} onOpen={openTrace} />
          </section>
          <section class="panel" id="route-queries" aria-label="queries">
            <h2>Queries</h2>
            {d.queries.length === 0 ? (
              <p class="empty">No database queries from this route in this window.</p>
            ) : (
              <table class="data">
                <thead>
                  <tr><th>statement</th><th class="num">calls</th><th class="num">total</th><th class="num">p95</th><th /></tr>
                </thead>
                <tbody>
                  {d.queries.map((q) => (
                    <tr key={q.statement} class={q.nPlusOne ? 'n-plus-one' : ''} data-statement={q.statement}>
                      <td class="statement"><code>{q.statement}</code>{q.nPlusOne && <span class="badge">N+1</span>}</td>
                      <td class="num">{fmt.count(q.calls)}</td>
                      <td class="num">{fmt.ms(q.totalMs)}</td>
                      <td class="num">{fmt.ms(q.p95Ms)}</td>
                      <td><a href="#" onClick={(e) => { e.preventDefault(); openTrace(q.exampleTraceId, q.exampleSpanId); }}>trace</a></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="panel" id="route-outgoing" aria-label="outgoing calls">
            <h2>Outgoing calls</h2>
            {d.outgoing.length === 0 ? (
              <p class="empty">No outgoing HTTP calls from this route in this window.</p>
            ) : (
              <table class="data">
                <thead>
                  <tr><th>host</th><th class="num">calls</th><th class="num">err %</th><th class="num">p95</th></tr>
                </thead>
                <tbody>
                  {d.outgoing.map((o) => (
                    <tr key={o.host} data-host={o.host}>
                      <td>{o.host}</td>
                      <td class="num">{fmt.count(o.calls)}</td>
                      <td class="num">{fmt.pct(o.errorPct)}</td>
                      <td class="num">{fmt.ms(o.p95Ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="panel" id="route-errors" aria-label="errors">
            <h2>Errors</h2>
            {d.errors.length === 0 ? (
              <p class="empty">No errors in this route in this window.</p>
            ) : (
              <table class="data">
                <tbody>
                  {d.errors.map((e) => (
                    <tr key={e.fingerprint} class="bad" data-fingerprint={e.fingerprint}>
                      <td><strong>{e.type}</strong>: {e.message}</td>
                      <td class="num">{fmt.count(e.count)}</td>
                      <td class="num">{fmt.time(e.lastSeenMs)}</td>
                      <td><a href="#" onClick={(ev) => { ev.preventDefault(); openTrace(e.traceId, e.spanId); }}>trace</a></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}
