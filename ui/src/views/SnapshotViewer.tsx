/** One snapshot: its variables as a tree, the stack, the request, and a link to its trace. */
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import type { SnapshotBody, SnapshotDetail, ValueNode } from '../lib/types';

function scalar(v: ValueNode): string {
  if (v.type === 'string') return `"${String(v.value)}"${v.omitted ? `… (${v.size} chars)` : ''}`;
  if (v.type === 'undefined') return 'undefined';
  if (v.type === 'array' || v.type === 'map' || v.type === 'set') return `${v.className ?? v.type}(${v.size ?? 0})`;
  if (v.type === 'object' && v.value === undefined) return v.className ?? 'Object';
  return String(v.value ?? v.className ?? v.type);
}

function Value({ name, node }: { name: string; node: ValueNode }) {
  const children = node.entries ?? [];
  if (children.length === 0) {
    return (
      <li data-var={name}>
        <span class="var-name">{name}</span>: <span class={`var-${node.type}`}>{scalar(node)}</span>
        {node.omitted && node.type !== 'string' ? <span class="muted"> (+{node.omitted} more)</span> : null}
      </li>
    );
  }
  return (
    <li data-var={name}>
      <details open={children.length <= 8}>
        <summary><span class="var-name">{name}</span>: <span class="muted">{scalar(node)}</span></summary>
        <ul class="var-tree">
          {children.map(([k, v], i) => <Value key={i} name={k} node={v} />)}
          {node.omitted ? <li class="muted">… {node.omitted} more</li> : null}
        </ul>
      </details>
    </li>
  );
}

export function SnapshotViewer({ id, onTrace }: { id: string; onTrace(traceId: string): void }) {
  const detail = usePoll(() => api<SnapshotDetail>(`debug/snapshots/${encodeURIComponent(id)}`), [id], 0);
  if (detail.error) return <p class="error-text">{detail.error.message}</p>;
  if (detail.data === undefined) return <p class="muted">Loading the snapshot…</p>;
  const s = detail.data;
  const body = s.body as SnapshotBody;
  return (
    <div class="snapshot" id="snapshot-view" data-snapshot-open={s.id}>
      <h3>{body.label ?? `${body.file}:${body.line}`} <span class="muted">· {fmt.time(s.timeMs)} · {s.instance}</span></h3>
      {s.traceId !== null && <p><button type="button" class="link" id="snapshot-trace" onClick={() => onTrace(s.traceId as string)}>open trace {s.traceId}</button></p>}
      {body.cut.length > 0 && <p class="note">Cut by the limits: {body.cut.join('; ')}</p>}
      {typeof body.pauseMs === 'number' && <p class="muted">The app was paused {fmt.ms(body.pauseMs)} for this snapshot.</p>}
      {typeof body.heldMs === 'number' && <p class="muted">Captured in the app's thread in {fmt.ms(body.heldMs)}, without a pause.</p>}
      <h4>Variables</h4>
      <ul class="var-tree" id="snapshot-vars">{body.variables.map(([k, v], i) => <Value key={i} name={k} node={v} />)}</ul>
      {body.request !== undefined && (
        <>
          <h4>Request</h4>
          <p class="mono">{body.request.method} {body.request.url} {body.request.route ? `(${body.request.route})` : ''}{typeof body.sinceRequestMs === 'number' ? `, ${fmt.ms(body.sinceRequestMs)} in` : ''}</p>
          <table class="data"><tbody>{Object.entries(body.request.headers).map(([k, v]) => <tr key={k}><td class="mono">{k}</td><td class="mono">{v}</td></tr>)}</tbody></table>
        </>
      )}
      <h4>Stack</h4>
      <ol class="stack-frames">{body.stack.map((f, i) => <li key={i} class="mono">{f.function} <span class="muted">{f.file}:{f.line}:{f.column}</span></li>)}</ol>
    </div>
  );
}
