/**
 * What the agent, its debug worker and the collector say to each other about breakpoints
 * (docs/debugging.md, "Agent protocol").
 */
import type { LogRecord } from '../otlp/types';
import type { SnapshotContext } from './snapshot-record';
import type { ValueNode } from './value-tree';

/** `snapshot`: a `captureSnapshot` call site; `line`: a file:line breakpoint; `logpoint`: a file:line log point. */
export type BreakpointKind = 'snapshot' | 'line' | 'logpoint';

/** A breakpoint as the collector hands it to an agent: only the active ones of its service. */
export interface AgentBreakpoint {
  id: string;
  kind: BreakpointKind;
  /** A snapshot site's label (its identity within the service). */
  label?: string;
  /** As the user gave it: relative to the app's root, or absolute. */
  file: string;
  /** 1-based. */
  line: number;
  /** Evaluated on the paused frame, side-effect free, only when the breakpoint fires. */
  condition?: string;
  /** A log point's message, with `{expression}` parts. */
  logTemplate?: string;
  /** Where a log point's line goes. */
  logTarget?: 'log' | 'span-event';
  /** At most one capture per this many ms. */
  intervalMs: number;
  /** Captures this agent makes at most. */
  maxHits: number;
  expiresAtMs: number;
}

/** A `captureSnapshot` site, as the agent registers it on its first call. */
export interface SiteReport {
  label: string;
  function: string;
  file: string;
  line: number;
}

/** What shows where a breakpoint stands in one process. */
export type BreakpointStateName = 'pending' | 'installed' | 'error';

export interface BreakpointState {
  id: string;
  state: BreakpointStateName;
  /** The line it bound to (in the user's source when a source map applies). */
  line?: number;
  message?: string;
  hits: number;
}

/** Body of an agent's POST: sites it found and breakpoint states that changed. */
export interface AgentReport {
  service: string;
  instance: string;
  sites?: SiteReport[];
  states?: BreakpointState[];
}

/** The collector's answer to an agent's long poll. */
export interface AgentPollAnswer {
  /** `<collector run>:<change counter>`; the run part changes when the collector restarts. */
  version: string;
  breakpoints: AgentBreakpoint[];
}

/**
 * A file:line breakpoint's capture made in the app's thread, from the breakpoint's one-shot
 * V8 condition (docs/debugging.md, "Captures without a pause"): what the worker needs to
 * finish the snapshot as it would a paused one.
 */
export interface LineCapture {
  id: string;
  variables: [string, ValueNode][];
  context: SnapshotContext;
  /** The V8 stack text from the breakpoint's line down. */
  stack: string;
  cut: string[];
  /** How long the capture held the app's thread, ms. */
  heldMs: number;
}

/** Main thread → debug worker. */
export type ToDebugWorker =
  | { type: 'site'; site: SiteReport }
  /** Sent the moment a capture is taken, so the worker removes the breakpoint before the capture itself is sent. */
  | { type: 'line-capture-taken'; id: string }
  | { type: 'line-capture'; capture: LineCapture }
  | { type: 'line-capture-failed'; id: string; message: string };

/** Debug worker → main thread. */
export type FromDebugWorker =
  | { type: 'snapshot-sites'; breakpoints: AgentBreakpoint[] }
  | { type: 'snapshot'; record: LogRecord }
  | { type: 'log'; level: 'warn' | 'info' | 'debug'; key: string; message: string };

/** What the debug worker is started with. */
export interface DebugWorkerData {
  /** The collector's agent endpoint (same origin as the traces export). */
  agentUrl: string;
  headers: Record<string, string>;
  service: string;
  instance: string;
  appRoot: string | undefined;
  /** ms between polls when the collector has no long poll (not a tracekit collector, or an old one). */
  fallbackPollMs: number;
  /** How long the collector may hold a poll open. */
  longPollMs: number;
  /**
   * One Int32 the app's thread sets to 1 while it has an inspector port open (`inspector.url()`
   * answers for the calling thread only, so the worker cannot ask itself).
   */
  inspectorFlag: SharedArrayBuffer;
}
