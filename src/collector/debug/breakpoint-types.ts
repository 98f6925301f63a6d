/** Breakpoints as the collector's API answers them (the dashboard reads these types too). */
import type { BreakpointKind, BreakpointState } from '../../debug/protocol';

/** A breakpoint's state in one process. */
export interface InstanceState extends Omit<BreakpointState, 'id'> {
  instance: string;
  reportedMs: number;
}

export interface Breakpoint {
  id: string;
  service: string;
  kind: BreakpointKind;
  /** A snapshot site's label. */
  label?: string;
  /** A snapshot site's function. */
  function?: string;
  file: string;
  line: number;
  enabled: boolean;
  condition?: string;
  logTemplate?: string;
  logTarget?: 'log' | 'span-event';
  intervalMs: number;
  maxHits: number;
  /** How long it stays on once enabled. */
  ttlMs: number;
  /** Set when enabled: it turns itself off at this time. */
  expiresAtMs: number | null;
  createdMs: number;
  /** Snapshots stored for it since it was last enabled. */
  snapshots: number;
  lastSnapshotMs: number | null;
  /** `active`, `off` (not enabled), `expired`, or `done` (its hit limit reached). */
  status: 'active' | 'off' | 'expired' | 'done';
  instances: InstanceState[];
}

/** What a user may set when creating or changing a breakpoint. */
export interface BreakpointInput {
  service?: string;
  file?: string;
  line?: number;
  enabled?: boolean;
  condition?: string | null;
  logTemplate?: string | null;
  logTarget?: 'log' | 'span-event';
  intervalMs?: number;
  maxHits?: number;
  ttlMs?: number;
}
