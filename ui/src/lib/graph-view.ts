/**
 * Draws a dependency graph with cytoscape (a separate chunk, loaded when a graph is shown).
 * Edge width grows with call volume; edge colour goes from green (no errors) to red (20% or
 * more failed). Route graphs are two columns, callers left and hosts right.
 */
import cytoscape from 'cytoscape';
import type { GraphModel, NodeTarget } from './graph-model';
import { cssColor } from './theme';

export interface GraphHandle {
  cy: cytoscape.Core;
  /** New numbers for the same nodes and edges, applied in place (no redraw, no lost pan or zoom). */
  update(model: GraphModel): void;
  destroy(): void;
}

// Cytoscape inserts a <style> element unless one with this id exists; the page's CSP forbids
// inline styles, and styles.css already gives the container the position it needs.
const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet';

function markStylesheetPresent(): void {
  if (document.getElementById(CYTOSCAPE_STYLESHEET_ID) !== null) return;
  const marker = document.createElement('meta');
  marker.id = CYTOSCAPE_STYLESHEET_ID;
  document.head.append(marker);
}

function edgeData(e: GraphModel['edges'][number], maxCalls: number): Record<string, unknown> {
  return { id: e.id, source: e.source, target: e.target, open: e.open, calls: e.calls, errorPct: e.errorPct, width: 1.5 + 8 * Math.sqrt(e.calls / maxCalls), colour: errorColour(e.errorPct), label: `${e.calls} · ${e.errorPct.toFixed(1)}% err` };
}

/** Green → red as the error rate goes from 0 to 20%. */
export function errorColour(errorPct: number): string {
  const hue = Math.round(130 * (1 - Math.min(1, Math.max(0, errorPct) / 20)));
  return `hsl(${hue}, 65%, 45%)`;
}

/** `onOpen`: a node with somewhere to go was clicked. */
export function drawGraph(container: HTMLElement, model: GraphModel, dark: boolean, onOpen: (target: NodeTarget) => void): GraphHandle {
  markStylesheetPresent();
  const maxCalls = Math.max(1, ...model.edges.map((e) => e.calls));
  const rows = { left: 0, right: 0 };
  const positions = new Map<string, { x: number; y: number }>();
  for (const n of model.nodes) {
    if (n.column === 'any') continue;
    positions.set(n.id, { x: n.column === 'left' ? 0 : 420, y: rows[n.column]++ * 56 });
  }
  const text = cssColor('--text');
  const cy = cytoscape({
    container,
    elements: [
      ...model.nodes.map((n) => ({ data: { id: n.id, label: n.label, column: n.column, open: n.open }, position: positions.get(n.id) })),
      ...model.edges.map((e) => ({ data: edgeData(e, maxCalls) })),
    ],
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          color: text,
          'font-size': 12,
          'background-color': dark ? '#5b8def' : '#2f6fde',
          width: 14,
          height: 14,
          'text-valign': 'center',
          'text-margin-x': -8,
          'text-halign': 'left',
          'text-wrap': 'wrap',
        },
      },
      { selector: 'node[column = "right"], node[column = "any"]', style: { 'text-halign': 'right', 'text-margin-x': 8, 'background-color': dark ? '#c792ea' : '#8e44ad' } },
      {
        selector: 'edge',
        style: {
          width: 'data(width)',
          'line-color': 'data(colour)',
          'target-arrow-color': 'data(colour)',
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
          label: 'data(label)',
          'font-size': 10,
          color: text,
          'text-background-color': dark ? '#1b1f24' : '#ffffff',
          'text-background-opacity': 0.8,
          'text-background-padding': '2px',
        },
      },
    ],
    layout: positions.size > 0 ? { name: 'preset', padding: 30 } : { name: 'circle', padding: 40 },
    // The mouse wheel scrolls the page, as everywhere else on it; drag still pans.
    userZoomingEnabled: false,
  });
  cy.on('tap', 'node, edge', (evt) => {
    const target = (evt.target as cytoscape.SingularElementArgument).data('open') as NodeTarget | undefined;
    if (target !== undefined) onOpen(target);
  });
  // Leave room for labels outside the two columns.
  cy.fit(undefined, 40);
  return {
    cy,
    update(next) {
      const max = Math.max(1, ...next.edges.map((e) => e.calls));
      cy.batch(() => {
        for (const e of next.edges) cy.getElementById(e.id).data(edgeData(e, max));
      });
    },
    destroy: () => cy.destroy(),
  };
}
