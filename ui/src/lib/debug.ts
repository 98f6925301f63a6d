/**
 * A small window global for the parts drawn on canvas (charts, graphs), so their state can
 * be inspected from the console or a browser test: `tracekitDebug.graphs.routes.nodes()`.
 */
export interface TracekitDebug {
  graphs: Record<string, unknown>;
  charts: Record<string, unknown>;
  firstRenderMs?: number;
}

declare global {
  interface Window {
    tracekitDebug: TracekitDebug;
  }
}

export const debug: TracekitDebug = (window.tracekitDebug = { graphs: {}, charts: {} });

/**
 * Marks the first render with data, once per page: what bench/dashboard-render.cjs times
 * (`firstRenderMs`) and what tests wait for (`<html data-ready="true">`). Each view calls it
 * when its first answer is on screen.
 */
export function markReady(): void {
  if (debug.firstRenderMs !== undefined) return;
  debug.firstRenderMs = performance.now();
  document.documentElement.dataset.ready = 'true';
}
