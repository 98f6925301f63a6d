/**
 * The Code view: what the app *has*, not only what was hit. The project tree (folders → files
 * → routes, from the agent's route inventory) with each folder's figures; the routes of the
 * chosen folder, never-hit ones marked; and the code inventory (functions seen in exceptions'
 * stacks). Choosing a folder narrows all three and the AI assist's analyze.
 */
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api';
import { usePoll } from '../lib/poll';
import type { CodeEntry, RouteInventoryView, TreeNode } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { CodeInventory } from './CodeInventory';
import { DeclaredRoutes } from './DeclaredRoutes';
import { ProjectTree } from './ProjectTree';

interface CodeData { tree: TreeNode; routes: RouteInventoryView; inventory: CodeEntry[] }

async function loadCode(state: UrlState): Promise<CodeData> {
  const p = scopeParams(state);
  const [tree, routes, inventory] = await Promise.all([
    api<TreeNode>('code/tree', p),
    api<RouteInventoryView>('code/routes', { ...p, folder: state.folder }),
    api<CodeEntry[]>('code', { ...p, file: state.folder }),
  ]);
  return { tree, routes, inventory };
}

interface Props {
  state: UrlState;
  onChange(patch: Partial<UrlState>): void;
  onAnalyzeFolder(folder: string, routes: RouteInventoryView['routes']): void;
  onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void;
}

export function CodeView({ state, onChange, onAnalyzeFolder, onStatus }: Props) {
  const polled = usePoll(() => loadCode(state), [state.service, state.window, state.from, state.to, state.folder], 2000);
  useEffect(() => onStatus({ updatedMs: polled.updatedMs, error: polled.error }), [polled.updatedMs, polled.error]);
  const d = polled.data;
  if (d === undefined) return <p class="panel muted">{polled.error ? polled.error.message : 'Loading…'}</p>;
  const inventory = state.error === '' ? d.inventory : d.inventory.filter((e) => e.groups.includes(state.error));
  return (
    <div class="code-view">
      <section class="panel code-summary" aria-label="route summary">
        <span id="route-count"><strong>{d.tree.routes}</strong> routes declared</span>
        <span id="never-hit-count" class={d.tree.neverHit > 0 ? 'never-hit-count' : ''}>
          <strong>{d.tree.neverHit}</strong> never hit in the last {state.window}
        </span>
        {state.folder !== '' && (
          <span class="folder-chip">
            in <code>{state.folder}</code>
            <button type="button" class="small" id="clear-folder" onClick={() => onChange({ folder: '' })}>whole project</button>
          </span>
        )}
        <button type="button" class="small" id="analyze-folder" onClick={() => onAnalyzeFolder(state.folder, d.routes.routes)} title="ask your AI provider about these routes">analyze {state.folder === '' ? 'project' : 'folder'}</button>
      </section>
      {d.routes.truncated.length > 0 && (
        <p class="note" id="inventory-truncated">
          {d.routes.truncated.join(', ')} declares more than 5,000 routes; the first 5,000 are shown.
        </p>
      )}
      <div class="code-columns">
        <ProjectTree root={d.tree} selected={state.folder} onSelect={(folder) => onChange({ folder })} />
        <DeclaredRoutes view={d.routes} showService={state.service === ''} onTraces={(r) => onChange({ view: 'traces', service: r.service, route: r.route, trace: '' })} />
      </div>
      <CodeInventory
        entries={inventory}
        showService={state.service === ''}
        error={state.error}
        onClearError={() => onChange({ error: '' })}
        onGroup={(fingerprint) => onChange({ view: 'overview', error: fingerprint })}
      />
    </div>
  );
}

