/**
 * The collector's breakpoints (docs/debugging.md, "Collector"): what users set from the API or
 * the dashboard, and the `captureSnapshot` sites agents register; each with its limits, its
 * state in every process that reported one, and the snapshots stored for it.
 *
 * Breakpoints live in memory: every one expires within hours, and a restarted collector starts
 * with none (agents see the new run in the version, drop what they had armed, and register
 * their snapshot sites again). Agents long-poll for changes; a change answers them at once.
 */
import { randomBytes } from 'node:crypto';
import type { AgentBreakpoint, AgentReport, SiteReport } from '../../debug/protocol';
import type { Breakpoint, BreakpointInput, InstanceState } from './breakpoint-types';

export type { Breakpoint, BreakpointInput, InstanceState } from './breakpoint-types';

/** Defaults and bounds for a breakpoint's settings. */
export const BREAKPOINT_LIMITS = {
  intervalMs: 1000,
  minIntervalMs: 100,
  maxHits: 100,
  maxMaxHits: 1000,
  ttlMs: 60 * 60 * 1000,
  maxTtlMs: 24 * 60 * 60 * 1000,
  /** Breakpoints kept at most (sites included); more are refused. */
  count: 2000,
  /** Longest condition or log template. */
  expressionChars: 1000,
  /** Longest a long poll is held, ms. */
  maxWaitMs: 30_000,
} as const;

/** A request a user can fix (400). */
export class BadBreakpoint extends Error {
  override name = 'BadBreakpoint';
}

interface Waiter {
  service: string;
  resolve(): void;
}

function id(): string {
  return `bp_${randomBytes(6).toString('hex')}`;
}

function intIn(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new BadBreakpoint(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

function textOrNone(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new BadBreakpoint(`${name} must be a string`);
  if (v.length > BREAKPOINT_LIMITS.expressionChars) throw new BadBreakpoint(`${name} is longer than ${BREAKPOINT_LIMITS.expressionChars} characters`);
  return v;
}

export class BreakpointRegistry {
  /** Changes when the collector starts: agents then register everything again. */
  readonly run = randomBytes(4).toString('hex');
  private changes = 0;
  private readonly breakpoints = new Map<string, Breakpoint>();
  private readonly waiters = new Set<Waiter>();
  /** service → instance → last poll (ms), for "which processes are listening". */
  private readonly agents = new Map<string, Map<string, number>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Expiry is a change agents must hear of.
    this.timer = setInterval(() => this.expire(), 1000);
    this.timer.unref();
  }

  get version(): string {
    return `${this.run}:${this.changes}`;
  }

  /** Every breakpoint, or those of one service, newest first. */
  list(service?: string): Breakpoint[] {
    const out = [...this.breakpoints.values()].filter((b) => service === undefined || b.service === service);
    return out.sort((a, b) => b.createdMs - a.createdMs).map((b) => ({ ...b, instances: [...b.instances] }));
  }

  get(id: string): Breakpoint | undefined {
    return this.breakpoints.get(id);
  }

  /** Processes of a service that polled in the last minute. */
  listeners(service: string): string[] {
    const cutoff = this.now() - 60_000;
    return [...(this.agents.get(service) ?? new Map<string, number>()).entries()].filter(([, at]) => at >= cutoff).map(([i]) => i);
  }

  /** Creates a file:line breakpoint or log point. */
  create(input: BreakpointInput): Breakpoint {
    if (this.breakpoints.size >= BREAKPOINT_LIMITS.count) throw new BadBreakpoint(`there are already ${BREAKPOINT_LIMITS.count} breakpoints; delete some first`);
    if (typeof input.service !== 'string' || input.service === '') throw new BadBreakpoint('service is required');
    if (typeof input.file !== 'string' || input.file.trim() === '' || input.file.length > 1000) throw new BadBreakpoint('file is required (a path relative to the app\'s root, or absolute)');
    const line = intIn(input.line, 'line', 1, 10_000_000);
    const logTemplate = textOrNone(input.logTemplate, 'logTemplate');
    const now = this.now();
    const bp: Breakpoint = {
      id: id(),
      service: input.service,
      kind: logTemplate === undefined ? 'line' : 'logpoint',
      file: input.file.trim(),
      line,
      enabled: false,
      intervalMs: BREAKPOINT_LIMITS.intervalMs,
      maxHits: BREAKPOINT_LIMITS.maxHits,
      ttlMs: BREAKPOINT_LIMITS.ttlMs,
      expiresAtMs: null,
      createdMs: now,
      snapshots: 0,
      lastSnapshotMs: null,
      status: 'off',
      instances: [],
    };
    this.apply(bp, { enabled: true, ...input, service: undefined, file: undefined, line: undefined });
    this.breakpoints.set(bp.id, bp);
    this.changed();
    return bp;
  }

  /** Changes a breakpoint's switch, condition, template or limits. */
  update(id: string, input: BreakpointInput): Breakpoint | undefined {
    const bp = this.breakpoints.get(id);
    if (bp === undefined) return undefined;
    this.apply(bp, input);
    this.changed();
    return bp;
  }

  delete(id: string): boolean {
    const had = this.breakpoints.delete(id);
    if (had) this.changed();
    return had;
  }

  private apply(bp: Breakpoint, input: BreakpointInput): void {
    const next = { ...bp };
    if (input.condition !== undefined) next.condition = textOrNone(input.condition, 'condition');
    if (input.logTemplate !== undefined) {
      if (bp.kind === 'snapshot') throw new BadBreakpoint('a captureSnapshot site cannot be a log point');
      next.logTemplate = textOrNone(input.logTemplate, 'logTemplate');
      next.kind = next.logTemplate === undefined ? 'line' : 'logpoint';
    }
    if (input.logTarget !== undefined) {
      if (input.logTarget !== 'log' && input.logTarget !== 'span-event') throw new BadBreakpoint('logTarget must be "log" or "span-event"');
      next.logTarget = input.logTarget;
    }
    if (input.intervalMs !== undefined) next.intervalMs = intIn(input.intervalMs, 'intervalMs', BREAKPOINT_LIMITS.minIntervalMs, 3_600_000);
    if (input.maxHits !== undefined) next.maxHits = intIn(input.maxHits, 'maxHits', 1, BREAKPOINT_LIMITS.maxMaxHits);
    if (input.ttlMs !== undefined) next.ttlMs = intIn(input.ttlMs, 'ttlMs', 1000, BREAKPOINT_LIMITS.maxTtlMs);
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw new BadBreakpoint('enabled must be true or false');
    if (input.enabled === true) {
      // Switching on starts a fresh run: a new expiry and hit count.
      next.enabled = true;
      next.expiresAtMs = this.now() + next.ttlMs;
      next.snapshots = 0;
      next.instances = next.instances.map((s) => ({ ...s, hits: 0 }));
    } else if (input.enabled === false) {
      next.enabled = false;
      next.expiresAtMs = null;
    } else if (input.ttlMs !== undefined && next.enabled) next.expiresAtMs = this.now() + next.ttlMs;
    next.status = statusOf(next, this.now());
    Object.assign(bp, next);
  }

  /** An agent's report: new snapshot sites, and breakpoint states. */
  report(r: AgentReport): void {
    let changed = false;
    for (const site of r.sites ?? []) changed = this.addSite(r.service, site) || changed;
    const now = this.now();
    for (const s of r.states ?? []) {
      const bp = this.breakpoints.get(s.id);
      if (bp === undefined || bp.service !== r.service) continue;
      const state: InstanceState = { instance: r.instance, state: s.state, hits: s.hits, reportedMs: now, ...(s.line !== undefined ? { line: s.line } : {}), ...(s.message !== undefined ? { message: s.message.slice(0, 500) } : {}) };
      const i = bp.instances.findIndex((x) => x.instance === r.instance);
      if (i === -1) bp.instances = [...bp.instances, state].slice(-50);
      else bp.instances = bp.instances.map((x, j) => (j === i ? state : x));
    }
    if (changed) this.changed();
  }

  private addSite(service: string, site: SiteReport): boolean {
    if (typeof site?.label !== 'string' || site.label === '') return false;
    for (const bp of this.breakpoints.values()) {
      if (bp.service === service && bp.kind === 'snapshot' && bp.label === site.label) {
        bp.function = String(site.function ?? bp.function);
        bp.file = String(site.file ?? bp.file);
        bp.line = Number.isInteger(site.line) ? site.line : bp.line;
        return false;
      }
    }
    if (this.breakpoints.size >= BREAKPOINT_LIMITS.count) return false;
    const bp: Breakpoint = {
      id: id(), service, kind: 'snapshot', label: site.label.slice(0, 200), function: String(site.function ?? '').slice(0, 200), file: String(site.file ?? '').slice(0, 1000),
      line: Number.isInteger(site.line) ? site.line : 0, enabled: false, intervalMs: BREAKPOINT_LIMITS.intervalMs, maxHits: BREAKPOINT_LIMITS.maxHits,
      ttlMs: BREAKPOINT_LIMITS.ttlMs, expiresAtMs: null, createdMs: this.now(), snapshots: 0, lastSnapshotMs: null, status: 'off', instances: [],
    };
    this.breakpoints.set(bp.id, bp);
    return true;
  }

  /** The active breakpoints of a service, as its agents take them. */
  forAgent(service: string): AgentBreakpoint[] {
    const out: AgentBreakpoint[] = [];
    for (const bp of this.breakpoints.values()) {
      if (bp.service !== service || bp.status !== 'active' || bp.expiresAtMs === null) continue;
      out.push({
        id: bp.id, kind: bp.kind, file: bp.file, line: bp.line, intervalMs: bp.intervalMs, maxHits: bp.maxHits, expiresAtMs: bp.expiresAtMs,
        ...(bp.label !== undefined ? { label: bp.label } : {}),
        ...(bp.condition !== undefined ? { condition: bp.condition } : {}),
        ...(bp.logTemplate !== undefined ? { logTemplate: bp.logTemplate, logTarget: bp.logTarget ?? 'log' } : {}),
      });
    }
    return out;
  }

  /**
   * Answers an agent's poll: at once when it has not seen the current version, else when
   * something changes or `waitMs` passes. `closed` ends the wait early (the agent went away).
   */
  async poll(service: string, instance: string, seen: string, waitMs: number, closed: AbortSignal): Promise<{ version: string; breakpoints: AgentBreakpoint[] }> {
    this.seen(service, instance);
    if (seen === this.version && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const w: Waiter = { service, resolve: () => done() };
        const t = setTimeout(() => done(), Math.min(waitMs, BREAKPOINT_LIMITS.maxWaitMs));
        const done = (): void => {
          clearTimeout(t);
          this.waiters.delete(w);
          closed.removeEventListener('abort', done);
          resolve();
        };
        closed.addEventListener('abort', done, { once: true });
        this.waiters.add(w);
      });
    }
    this.seen(service, instance);
    return { version: this.version, breakpoints: this.forAgent(service) };
  }

  /**
   * Counts a snapshot arriving for a breakpoint; false when it may not be stored (unknown here,
   * or all its snapshots are in). The last one it may keep switches it to done.
   */
  admitSnapshot(service: string, id: string): boolean {
    const bp = this.breakpoints.get(id);
    if (bp === undefined || bp.service !== service || bp.snapshots >= bp.maxHits) return false;
    bp.snapshots++;
    bp.lastSnapshotMs = this.now();
    if (bp.snapshots >= bp.maxHits) {
      bp.status = 'done';
      this.changed();
    }
    return true;
  }

  /** Answers every waiting poll (the collector is stopping). */
  close(): void {
    clearInterval(this.timer);
    for (const w of [...this.waiters]) w.resolve();
  }

  private seen(service: string, instance: string): void {
    let m = this.agents.get(service);
    if (m === undefined) {
      if (this.agents.size >= 1000) this.agents.clear();
      m = new Map();
      this.agents.set(service, m);
    }
    if (m.size >= 1000 && !m.has(instance)) m.clear();
    m.set(instance, this.now());
  }

  private expire(): void {
    const now = this.now();
    let changed = false;
    for (const bp of this.breakpoints.values()) {
      const status = statusOf(bp, now);
      if (status !== bp.status) {
        bp.status = status;
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  private changed(): void {
    this.changes++;
    for (const w of [...this.waiters]) w.resolve();
  }
}

function statusOf(bp: Pick<Breakpoint, 'enabled' | 'expiresAtMs' | 'snapshots' | 'maxHits'>, now: number): Breakpoint['status'] {
  if (!bp.enabled) return 'off';
  if (bp.expiresAtMs !== null && now >= bp.expiresAtMs) return 'expired';
  if (bp.snapshots >= bp.maxHits) return 'done';
  return 'active';
}
