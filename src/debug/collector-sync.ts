/**
 * The debug worker's line to the collector (docs/debugging.md, "Agent protocol"): a long poll
 * for the service's active breakpoints (the collector answers within about a second of a
 * change), and POSTs of new snapshot sites and breakpoint states. A collector without the
 * endpoint (another OTLP backend, an older tracekit) is asked again every 30 s, quietly.
 */
import type { AgentBreakpoint, AgentPollAnswer, BreakpointState, DebugWorkerData, SiteReport } from './protocol';

export interface SyncEvents {
  onBreakpoints(list: AgentBreakpoint[]): void;
  onLog(level: 'warn' | 'info' | 'debug', key: string, message: string): void;
}

const MAX_BACKOFF_MS = 30_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

function isBreakpointList(v: unknown): v is AgentPollAnswer {
  const a = v as AgentPollAnswer;
  return typeof a === 'object' && a !== null && typeof a.version === 'string' && Array.isArray(a.breakpoints);
}

export class CollectorSync {
  private version = '';
  private run = '';
  private readonly sites = new Map<string, SiteReport>();
  private readonly states = new Map<string, BreakpointState>();
  private unsentSites: SiteReport[] = [];
  private unsentStates = new Map<string, BreakpointState>();
  private posting = false;
  private readonly stop = new AbortController();

  constructor(private readonly data: DebugWorkerData, private readonly events: SyncEvents) {}

  /** Polls until stopped. */
  async loop(): Promise<void> {
    let backoff = 1000;
    while (!this.stop.signal.aborted) {
      const outcome = await this.pollOnce();
      if (outcome === 'ok') {
        backoff = 1000;
        continue;
      }
      const wait = outcome === 'unsupported' ? this.data.fallbackPollMs : backoff;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      await sleep(wait, this.stop.signal);
    }
  }

  close(): void {
    this.stop.abort();
  }

  /** Registers a captureSnapshot site with the collector. */
  addSite(site: SiteReport): void {
    if (this.sites.has(site.label)) return;
    this.sites.set(site.label, site);
    this.unsentSites.push(site);
    void this.post();
  }

  /** Reports a breakpoint's state (sent when it changed). */
  setState(state: BreakpointState): void {
    const prev = this.states.get(state.id);
    if (prev !== undefined && prev.state === state.state && prev.line === state.line && prev.message === state.message && prev.hits === state.hits) return;
    this.states.set(state.id, state);
    this.unsentStates.set(state.id, state);
    void this.post();
  }

  /** Forgets the state of a breakpoint that is gone. */
  dropState(id: string): void {
    this.states.delete(id);
    this.unsentStates.delete(id);
  }

  private async pollOnce(): Promise<'ok' | 'failed' | 'unsupported'> {
    const q = new URLSearchParams({ service: this.data.service, instance: this.data.instance, version: this.version, wait: String(this.data.longPollMs) });
    try {
      const res = await fetch(`${this.data.agentUrl}?${q}`, {
        headers: this.data.headers,
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.data.longPollMs + 10_000)]),
      });
      if (res.status === 404 || res.status === 405) {
        await res.body?.cancel();
        this.events.onLog('debug', 'unsupported', `the collector at ${this.data.agentUrl} has no live-debugging endpoint (HTTP ${res.status}); asking again every ${Math.round(this.data.fallbackPollMs / 1000)} s`);
        return 'unsupported';
      }
      if (res.status === 401) {
        await res.body?.cancel();
        this.events.onLog('warn', 'unauthorized', `live debugging: the collector refused the API key (HTTP 401); breakpoints cannot be received`);
        return 'unsupported';
      }
      if (!res.ok) {
        await res.body?.cancel();
        return 'failed';
      }
      const answer: unknown = await res.json();
      if (!isBreakpointList(answer)) return 'failed';
      this.accept(answer);
      return 'ok';
    } catch {
      return 'failed';
    }
  }

  private accept(answer: AgentPollAnswer): void {
    const run = answer.version.split(':')[0];
    if (run !== this.run) {
      // A collector we have not reported to (a first contact, or one that restarted): all we know, again.
      this.run = run;
      this.unsentSites = [...this.sites.values()];
      this.unsentStates = new Map(this.states);
    }
    if (this.unsentSites.length > 0 || this.unsentStates.size > 0) void this.post();
    if (answer.version === this.version) return;
    this.version = answer.version;
    this.events.onBreakpoints(answer.breakpoints);
  }

  private async post(): Promise<void> {
    if (this.posting || this.stop.signal.aborted) return;
    this.posting = true;
    try {
      while (this.unsentSites.length > 0 || this.unsentStates.size > 0) {
        const sites = this.unsentSites.splice(0, 200);
        const states = [...this.unsentStates.values()];
        this.unsentStates.clear();
        const ok = await this.send({ service: this.data.service, instance: this.data.instance, sites, states });
        if (!ok) {
          // Put them back; the next answered poll sends them again.
          this.unsentSites.unshift(...sites);
          for (const s of states) if (!this.unsentStates.has(s.id)) this.unsentStates.set(s.id, s);
          return;
        }
      }
    } finally {
      this.posting = false;
    }
  }

  private async send(body: unknown): Promise<boolean> {
    try {
      const res = await fetch(this.data.agentUrl, {
        method: 'POST',
        headers: { ...this.data.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(10_000)]),
      });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }
}
