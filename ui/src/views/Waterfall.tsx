/**
 * One trace as a waterfall: subtrees fold, repeated siblings group, and a selected span's
 * attributes, events, logs and exception stack show in a side panel.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import { spanTree, type WaterfallRow } from '../lib/span-tree';
import type { LogEntry, SnapshotSummary, SpanDetail, TraceDetail } from '../lib/types';
import { TraceActions } from './TraceActions';
import { WaterfallLegend, WaterfallRuler } from './WaterfallRuler';
import { severityClass } from './LogsView';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Keys and values as text; `omit` is shown elsewhere (the stack gets its own block). */
function AttributeTable({ attributes, omit }: { attributes: Record<string, unknown>; omit?: string }) {
  return (
    <table class="data attrs">
      <tbody>
        {Object.entries(attributes)
          .filter(([k]) => k !== omit)
          .map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{show(v)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

interface SpanEvent { name?: string; timeMs?: number; timeUnixNano?: string; attributes?: Record<string, unknown> }

/** A span's log records (written while it was the active span), oldest first. */
function SpanLogs({ logs, t0 }: { logs: LogEntry[]; t0: number }) {
  return (
    <>
      <h4>Logs</h4>
      <table class="data span-logs">
        <tbody>
          {logs.map((l, i) => (
            <tr key={i} class={severityClass(l.severity)} data-log-body={l.body}>
              <td class="num">+{fmt.ms(l.timeMs - t0)}</td>
              <td>{l.severityText || String(l.severity)}</td>
              <td class="log-body">{l.body}</td>
              <td class="muted">{Object.entries(l.attributes).map(([k, v]) => `${k}=${show(v)}`).join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Live-debugging snapshots taken in this span, each opening in the Debug view. */
function SpanSnapshots({ snapshots }: { snapshots: SnapshotSummary[] }) {
  return (
    <>
      <h4>Snapshots</h4>
      <ul class="snapshots">
        {snapshots.map((s) => (
          <li key={s.id}>
            <a href={`?service=${encodeURIComponent(s.service)}&view=debug&snapshot=${encodeURIComponent(s.id)}`} data-span-snapshot={s.id}>
              {fmt.time(s.timeMs)} · {s.label ?? `${s.file}:${s.line}`} · {s.function}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

function SpanDetails({ span, t0, logs, snapshots }: { span: SpanDetail; t0: number; logs: LogEntry[]; snapshots: SnapshotSummary[] }) {
  const events = span.events as SpanEvent[];
  return (
    <div class="span-detail" data-span-detail={span.spanId}>
      <h3>{span.name}</h3>
      <dl>
        <dt>service</dt>
        <dd>{span.service}</dd>
        <dt>kind</dt>
        <dd>{KINDS[span.kind] ?? span.kind}</dd>
        <dt>start</dt>
        <dd>+{fmt.ms(span.startMs - t0)}</dd>
        <dt>duration</dt>
        <dd>{fmt.ms(span.durationMs)}</dd>
        <dt>status</dt>
        <dd>{span.status === 2 ? `error${span.statusMessage ? `: ${span.statusMessage}` : ''}` : span.status === 1 ? 'ok' : 'unset'}</dd>
        <dt>span id</dt>
        <dd class="mono">{span.spanId}</dd>
        <dt>scope</dt>
        <dd>{span.scope}</dd>
      </dl>
      <h4>Attributes</h4>
      <AttributeTable attributes={span.attributes} />
      {logs.length > 0 && <SpanLogs logs={logs} t0={t0} />}
      {snapshots.length > 0 && <SpanSnapshots snapshots={snapshots} />}
      {events.length > 0 && <h4>Events</h4>}
      {events.map((e, i) => {
        const attrs = e.attributes ?? {};
        const stack = attrs['exception.stacktrace'];
        return (
          <div class="event" key={i}>
            <strong>{e.name ?? 'event'}</strong>
            {typeof e.timeMs === 'number' && <span class="muted"> at +{fmt.ms(e.timeMs - t0)}</span>}
            <AttributeTable attributes={attrs} omit="exception.stacktrace" />
            {typeof stack === 'string' && <pre class="stack">{stack}</pre>}
          </div>
        );
      })}
    </div>
  );
}

interface WaterfallProps {
  trace: TraceDetail;
  /** The span whose details show in the side panel ('' for none); kept in the address bar. */
  selected: string;
  onSelect(spanId: string): void;
}

/** Is `spanId` below `ancestorId` in the trace? */
function isBelow(spans: Map<string, SpanDetail>, spanId: string, ancestorId: string): boolean {
  let cur = spans.get(spanId);
  for (let hops = 0; cur !== undefined && cur.parentId !== null && hops < 1000; hops++) {
    if (cur.parentId === ancestorId) return true;
    cur = spans.get(cur.parentId);
  }
  return false;
}

export function Waterfall({ trace, selected, onSelect }: WaterfallProps) {
  const callee = callees(trace.spans);
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const [openGroups, setOpenGroups] = useState<ReadonlySet<string>>(new Set());
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const chosen = byId.get(selected);
  const rows = spanTree(trace.spans, { open: openGroups, collapsed, reveal: chosen?.spanId });
  const toggle = (set: ReadonlySet<string>, id: string): Set<string> => {
    const next = new Set(set);
    if (!next.delete(id)) next.add(id);
    return next;
  };
  const toggleGroup = (row: Extract<WaterfallRow, { kind: 'group' }>, shown: boolean): void => {
    // Closing the group that holds the selected span closes its details too.
    if (shown && row.spans.some((s) => s.spanId === selected)) onSelect('');
    setOpenGroups(shown ? new Set([...openGroups].filter((id) => id !== row.id)) : toggle(openGroups, row.id));
  };
  const toggleFold = (spanId: string): void => {
    if (!collapsed.has(spanId) && chosen !== undefined && isBelow(byId, chosen.spanId, spanId)) onSelect('');
    setCollapsed(toggle(collapsed, spanId));
  };
  useEffect(() => {
    if (chosen === undefined) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onSelect('');
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [chosen?.spanId]);
  const t0 = Math.min(...trace.spans.map((s) => s.startMs));
  const t1 = Math.max(...trace.spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(t1 - t0, 0.001);
  const snapshots = usePoll(() => api<SnapshotSummary[]>('debug/snapshots', { traceId: trace.traceId, limit: 100 }), [trace.traceId], 0);
  const logsOf = new Map<string, LogEntry[]>();
  for (const l of trace.logs ?? []) {
    if (l.spanId === null) continue;
    const list = logsOf.get(l.spanId);
    if (list === undefined) logsOf.set(l.spanId, [l]);
    else list.push(l);
  }
  const anyFoldable = rows.some((r) => r.kind === 'span' && r.descendants > 0);
  return (
    <section class="panel" id="waterfall" aria-label="trace waterfall">
      <h2>
        Trace <span class="mono">{trace.traceId}</span> <span class="muted">· {trace.spans.length} spans · {fmt.ms(total)}</span> <TraceActions trace={trace} />
      </h2>
      <WaterfallLegend />
      <div class={`wf-layout ${chosen !== undefined ? 'wf-with-panel' : ''}`}>
        <div class="wf-main">
          <WaterfallRuler total={total} />
          <div class="waterfall" role="tree">
            {rows.map((row) => {
              if (row.kind === 'group') {
                const shown = openGroups.has(row.id) || row.spans.some((s) => s.spanId === chosen?.spanId);
                return <GroupRow key={row.id} row={row} open={shown} t0={t0} total={total} onToggle={() => toggleGroup(row, shown)} />;
              }
              const { span, depth } = row;
              return (
                <div
                  role="treeitem"
                  tabIndex={0}
                  key={span.spanId}
                  class={`wf-row ${span.status === 2 ? 'wf-error' : ''} ${selected === span.spanId ? 'wf-selected' : ''}`}
                  data-span-id={span.spanId}
                  data-parent-id={span.parentId ?? ''}
                  data-depth={depth}
                  aria-level={depth + 1}
                  aria-selected={selected === span.spanId}
                  aria-expanded={row.descendants > 0 ? !row.collapsed : undefined}
                  onClick={() => onSelect(selected === span.spanId ? '' : span.spanId)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(selected === span.spanId ? '' : span.spanId);
                    }
                  }}
                >
                  <span class="wf-name" style={{ paddingLeft: `${depth * 16}px` }}>
                    {row.descendants > 0 ? (
                      <button
                        type="button"
                        class="wf-fold"
                        data-fold={span.spanId}
                        aria-label={row.collapsed ? `show the ${row.descendants} spans below` : `hide the ${row.descendants} spans below`}
                        title={row.collapsed ? `show the ${row.descendants} spans below` : 'hide the spans below'}
                        onClick={(e) => {
                          e.stopPropagation();
                          toggleFold(span.spanId);
                        }}
                      >
                        {row.collapsed ? '▸' : '▾'}
                      </button>
                    ) : (
                      anyFoldable && <span class="wf-fold-space" />
                    )}
                    <span class="wf-service">{span.service}</span> <span title={span.name}>{displayName(span, callee.get(span.spanId))}</span>
                    {row.collapsed && <span class="wf-hidden-count" data-hidden-count={row.descendants}> +{row.descendants}</span>}
                  </span>
                  <span class="wf-track">
                    <span class={`wf-bar kind-${KINDS[span.kind] ?? 'other'}`} style={{ left: `${((span.startMs - t0) / total) * 100}%`, width: `${Math.max(0.4, (span.durationMs / total) * 100)}%` }} />
                    {(span.events as SpanEvent[]).filter((e) => typeof e.timeMs === 'number').map((e, i) => (
                      <span key={`e${i}`} class={`wf-event ${e.name === 'exception' ? 'wf-event-exception' : ''}`} data-event-marker title={e.name ?? 'event'} style={{ left: `${Math.min(100, Math.max(0, (((e.timeMs as number) - t0) / total) * 100))}%` }} />
                    ))}
                    {(logsOf.get(span.spanId) ?? []).map((l, i) => (
                      <span key={i} class={`wf-log ${severityClass(l.severity)}`} data-log-marker title={`${l.severityText} ${l.body}`} style={{ left: `${Math.min(100, Math.max(0, ((l.timeMs - t0) / total) * 100))}%` }} />
                    ))}
                  </span>
                  <span class="wf-duration">{fmt.ms(span.durationMs)}</span>
                </div>
              );
            })}
          </div>
          {chosen === undefined && <p class="muted">Select a span to see its attributes and events.</p>}
        </div>
        {chosen !== undefined && (
          <aside class="wf-panel" aria-label="span details">
            <button type="button" class="ghost small wf-panel-close" aria-label="close the span details" onClick={() => onSelect('')}>×</button>
            <SpanDetails span={chosen} t0={t0} logs={logsOf.get(chosen.spanId) ?? []} snapshots={(snapshots.data ?? []).filter((s) => s.spanId === chosen.spanId)} />
          </aside>
        )}
      </div>
    </section>
  );
}

/**
 * Repeated sibling spans as one row, "12 × SELECT tk_shop_products": one bar from the first
 * start to the last end, the time they took together; a click shows or hides them.
 */
function GroupRow({ row, open, t0, total, onToggle }: { row: Extract<WaterfallRow, { kind: 'group' }>; open: boolean; t0: number; total: number; onToggle(): void }) {
  const first = row.spans[0];
  const start = Math.min(...row.spans.map((s) => s.startMs));
  const end = Math.max(...row.spans.map((s) => s.startMs + s.durationMs));
  const sum = row.spans.reduce((n, s) => n + s.durationMs, 0);
  const failed = row.spans.some((s) => s.status === 2);
  return (
    <button type="button" role="treeitem" class={`wf-row wf-group ${failed ? 'wf-error' : ''}`} data-group-id={row.id} data-count={row.spans.length} data-depth={row.depth} aria-level={row.depth + 1} aria-expanded={open} onClick={onToggle} title={open ? 'hide the repeated spans' : 'show each span'}>
      <span class="wf-name" style={{ paddingLeft: `${row.depth * 16}px` }}>
        <span class="wf-toggle" aria-hidden="true">{open ? '▾' : '▸'}</span> <span class="wf-service">{first.service}</span> <strong>{row.spans.length} ×</strong> {first.name}
      </span>
      <span class="wf-track">
        <span class={`wf-bar wf-bar-group kind-${KINDS[first.kind] ?? 'other'}`} style={{ left: `${((start - t0) / total) * 100}%`, width: `${Math.max(0.4, ((end - start) / total) * 100)}%` }} />
      </span>
      <span class="wf-duration" title="the time the spans took together">Σ {fmt.ms(sum)}</span>
    </button>
  );
}

/** Client span id → the server span of another service it called (when that service reports here too). */
function callees(spans: SpanDetail[]): Map<string, SpanDetail> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const out = new Map<string, SpanDetail>();
  for (const s of spans) {
    const parent = s.parentId === null ? undefined : byId.get(s.parentId);
    if (s.kind === 2 && parent !== undefined && parent.kind === 3 && parent.service !== s.service) out.set(parent.spanId, s);
  }
  return out;
}

/** A client call named for what it reached, `GET inventory /stock/:productId`, when that is known. */
function displayName(span: SpanDetail, target: SpanDetail | undefined): string {
  if (target === undefined) return span.name;
  const method = span.attributes['http.request.method'];
  const route = target.attributes['http.route'];
  return `${typeof method === 'string' ? method : span.name} ${target.service} ${typeof route === 'string' ? route : target.name}`;
}
