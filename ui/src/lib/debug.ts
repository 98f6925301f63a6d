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
