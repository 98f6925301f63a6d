/**
 * The project tree: folders and files holding routes, each with its routes' figures rolled
 * up. Clicking a folder or file narrows the Code view to it.
 */
import * as fmt from '../lib/format';
import type { TreeNode } from '../lib/types';

interface Props { root: TreeNode; selected: string; onSelect(path: string): void }

function Node({ node, depth, selected, onSelect }: { node: TreeNode; depth: number; selected: string; onSelect(path: string): void }) {
  return (
    <li>
      <button
        type="button"
        class={`tree-node ${node.type}`}
        data-path={node.path}
        aria-pressed={selected === node.path}
        style={{ paddingLeft: `${depth * 14 + 4}px` }}
        onClick={() => onSelect(node.path)}
        title={`${node.path || 'the whole project'}: ${node.routes} routes, ${node.neverHit} never hit`}
      >
        <span class="tree-name">{node.type === 'folder' ? '▸ ' : ''}{node.name || 'project'}</span>
        <span class="tree-figures">
          <span title="routes">{node.routes}</span>
          {node.neverHit > 0 && <span class="never-hit-chip" title="routes never hit in the window">{node.neverHit} idle</span>}
          <span title="requests per second">{node.requests === 0 ? '–' : fmt.rate(node.rate)}</span>
          <span title="share of requests that failed">{node.requests === 0 ? '–' : fmt.pct(node.errorPct)}</span>
          <span title="slowest p95 among its routes">{fmt.ms(node.p95Ms)}</span>
        </span>
      </button>
      {node.type === 'folder' && node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <Node key={`${c.type}:${c.path}`} node={c} depth={depth + 1} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function ProjectTree({ root, selected, onSelect }: Props) {
  return (
    <section class="panel project-tree" id="project-tree" aria-label="project tree">
      <h2>Project</h2>
      {root.children.length === 0 ? (
        <p class="empty">No routes reported. The agent reports an express app's routes a second after it registers them.</p>
      ) : (
        <ul class="tree">
          <Node node={root} depth={0} selected={selected} onSelect={onSelect} />
        </ul>
      )}
    </section>
  );
}
