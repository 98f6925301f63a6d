/**
 * `captureSnapshot(label, vars)` in the app's thread (docs/debugging.md, "Snapshot API"). A
 * label names one site. Its first call registers the site (function and file:line of the call)
 * with the collector; later calls cost one map lookup until the user enables the site's
 * breakpoint. An enabled site captures at most once per interval and up to its hit limit.
 */
import { parseStack } from '../shared/stack-frames';
import type { LogRecord } from '../otlp/types';
import { captureVariables } from './capture-value';
import { appFrames } from './own-frames';
import type { AgentBreakpoint, SiteReport } from './protocol';
import { snapshotContext } from './request-context';
import { snapshotRecord } from './snapshot-record';
import { CaptureBudget, LIMITS } from './value-tree';

/** Distinct labels registered at most; calls with further labels are ignored (and said once). */
export const MAX_SITES = 1000;
/** The longest label kept. */
const MAX_LABEL = 200;

interface Site {
  report: SiteReport;
  /** The enabled breakpoint for this site, if any. */
  armed: Armed | undefined;
}

interface Armed {
  bp: AgentBreakpoint;
  hits: number;
  nextAtMs: number;
}

export interface SnapshotSitesOptions {
  appRoot: string | undefined;
  /** A new site, to register with the collector. */
  onSite(site: SiteReport): void;
  /** A captured snapshot, to export. */
  onSnapshot(record: LogRecord): void;
  /** Said once when the site limit is reached. */
  onTooMany(): void;
}

export class SnapshotSites {
  private readonly sites = new Map<string, Site>();

  constructor(private readonly options: SnapshotSitesOptions) {}

  /** The call itself; `caller` is the public function the app called (its frame is skipped). */
  capture(label: unknown, vars: unknown, caller: (...args: never[]) => unknown): void {
    if (typeof label !== 'string' || label === '') return;
    const site = this.sites.get(label);
    if (site !== undefined) {
      if (site.armed !== undefined) this.maybeCapture(site, site.armed, vars, caller);
      return;
    }
    this.register(label.slice(0, MAX_LABEL), caller);
  }

  /** Applies the collector's list of enabled snapshot breakpoints for this service. */
  update(breakpoints: AgentBreakpoint[]): void {
    const byLabel = new Map<string, AgentBreakpoint>();
    for (const bp of breakpoints) if (bp.kind === 'snapshot' && bp.label !== undefined) byLabel.set(bp.label, bp);
    for (const [label, site] of this.sites) {
      const bp = byLabel.get(label);
      if (bp === undefined) site.armed = undefined;
      // A new breakpoint, or the same one switched on again (a new expiry): a fresh run.
      else if (site.armed?.bp.id !== bp.id || site.armed.bp.expiresAtMs !== bp.expiresAtMs) site.armed = { bp, hits: 0, nextAtMs: 0 };
      else site.armed.bp = bp;
    }
  }

  /** Every site registered so far (sent again when the collector restarts). */
  all(): SiteReport[] {
    return [...this.sites.values()].map((s) => s.report);
  }

  private register(label: string, caller: (...args: never[]) => unknown): void {
    if (this.sites.size >= MAX_SITES) {
      this.options.onTooMany();
      return;
    }
    const frame = callSite(caller, this.options.appRoot);
    const report: SiteReport = { label, function: frame?.function ?? '<anonymous>', file: frame?.file ?? '', line: frame?.line ?? 0 };
    this.sites.set(label, { report, armed: undefined });
    this.options.onSite(report);
  }

  private maybeCapture(site: Site, armed: Armed, vars: unknown, caller: (...args: never[]) => unknown): void {
    const now = Date.now();
    if (now < armed.nextAtMs || armed.hits >= armed.bp.maxHits) return;
    if (now > armed.bp.expiresAtMs) {
      site.armed = undefined;
      return;
    }
    armed.hits++;
    armed.nextAtMs = now + armed.bp.intervalMs;
    const budget = new CaptureBudget();
    const variables = captureVariables(vars, budget);
    const ctx = snapshotContext();
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = LIMITS.frames * 2;
    Error.captureStackTrace(holder, caller);
    Error.stackTraceLimit = limit;
    const stack = appFrames(parseStack(holder.stack ?? ''), this.options.appRoot, LIMITS.frames);
    this.options.onSnapshot(snapshotRecord({
      breakpointId: armed.bp.id,
      label: site.report.label,
      kind: 'snapshot',
      file: site.report.file,
      line: site.report.line,
      function: site.report.function,
      variables,
      stack,
      request: ctx.request,
      sinceRequestMs: ctx.sinceRequestMs,
      cut: [...budget.cut],
    }, ctx, now));
  }
}

/** The frame that called `caller`: the app's line with the captureSnapshot call. */
function callSite(caller: (...args: never[]) => unknown, root: string | undefined): { function: string; file: string; line: number } | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, caller);
  Error.stackTraceLimit = limit;
  return parseStack(holder.stack ?? '', root)[0];
}
