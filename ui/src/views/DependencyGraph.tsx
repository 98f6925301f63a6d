/**
 * A dependency graph drawn by cytoscape, loaded on first use so it does not slow the first
 * render. The graph is rebuilt only when its edges change; a list of the same edges sits
 * beside the canvas for screen readers.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { debug } from '../lib/debug';
import type { Graph } from '../lib/types';
import { graphModel, type GraphModel, type NodeTarget } from '../lib/graph-model';
import type { GraphHandle } from '../lib/graph-view';

interface Props {
  id: string;
  title: string;
  /** The API's graph (drawn as `kind`), or a model built already (the service map). */
  graph: Graph | GraphModel;
  kind: 'routes' | 'services' | 'model';
  showService: boolean;
  dark: boolean;
  onOpen(target: NodeTarget): void;
}

export function DependencyGraph({ id, title, graph, kind, showService, dark, onOpen }: Props) {
  // The graph is drawn once per shape; a click reaches the latest callback through this.
  const open = useRef(onOpen);
  open.current = onOpen;
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<GraphHandle | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const model: GraphModel = kind === 'model' ? (graph as GraphModel) : graphModel(graph as Graph, kind, showService);
  // Redraw when the set of nodes and edges changes; new numbers alone are applied in place.
  const shape = JSON.stringify([model.nodes.map((n) => [n.id, n.label]), model.edges.map((e) => e.id)]);
  const numbers = JSON.stringify(model.edges.map((e) => [e.calls, e.errorPct]));

  useEffect(() => {
    let cancelled = false;
    const el = host.current;
    if (el === null || model.edges.length === 0) return;
    import('../lib/graph-view').then(
      ({ drawGraph }) => {
        if (cancelled) return;
        handle.current?.destroy();
        handle.current = drawGraph(el, model, dark, (target) => open.current(target));
        debug.graphs[id] = handle.current.cy;
      },
      (err: Error) => setFailed(err.message),
    );
    return () => {
      cancelled = true;
    };
    // `shape` stands for the model's nodes and edges.
  }, [shape, dark]);

  useEffect(() => {
    handle.current?.update(model);
  }, [numbers]);

  useEffect(() => () => {
    handle.current?.destroy();
    delete debug.graphs[id];
  }, [id]);

  return (
    <figure class="graph" id={`graph-${id}`}>
      <figcaption>{title}</figcaption>
      {model.edges.length === 0 ? (
        <p class="empty">No calls to draw in this window.</p>
      ) : (
        <>
          <div ref={host} class="graph-canvas" role="img" aria-label={`${title}: ${model.edges.length} edges`} />
          {failed !== null && <p class="error-text">The graph could not be drawn: {failed}</p>}
          <ul class="sr-only">
            {model.edges.map((e) => (
              <li key={e.id}>{`${e.sourceLabel} → ${e.targetLabel}: ${e.calls} calls, ${e.errorPct.toFixed(1)}% errors`}</li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}
