/**
 * file:line breakpoints and log points, from the debug worker, through an inspector session
 * on the app's main thread (docs/debugging.md, "Breakpoints without pausing the app").
 *
 * - No session and no `Debugger.enable` until a breakpoint exists (enabling walks every loaded
 *   script: 85-215 ms of blocked main thread); disabled and disconnected after the last one.
 * - Never when an inspector port is open (`--inspect`, or one opened later): that debugger is
 *   the user's, and this one stays off and says why.
 * - One-shot and unconditioned in V8: a breakpoint is set when a capture is due and removed on
 *   its hit, then set again after the interval. A condition is evaluated on the paused frame,
 *   side-effect free, only when it fires (a V8 condition would run on every execution).
 * - Every pause is capped: past the cap the capture stops, marks what it cut, and resumes.
 */
import type { Debugger, Runtime } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseStack, type StackFrame } from '../shared/stack-frames';
import { appFrames } from './own-frames';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LogRecord } from '../otlp/types';
import { parseTemplate, type TemplatePart } from './log-template';
import type { AgentBreakpoint, BreakpointState, LineCapture } from './protocol';
import { OBJECT_GROUP, RemoteReader } from './remote-values';
import { isSecretKey, looksSecret, REDACTED } from './secrets';
import { snapshotRecord, type SnapshotBody } from './snapshot-record';
import { loadSourceMap, type SourceMap } from './source-maps';
import { CaptureBudget, LIMITS, type ValueNode } from './value-tree';
import type { SnapshotContext } from './snapshot-record';

/** The longest a capture may keep the app paused, ms (what is left is cut and marked). */
export const PAUSE_CAP_MS = 10;
/** A condition or template expression may run this long, ms. */
const EVAL_TIMEOUT_MS = 5;
/** Consecutive failed conditions after which a breakpoint stops and says why. */
const MAX_CONDITION_FAILURES = 20;
/** After a false condition, the breakpoint is set again after this long at most (ms). */
const FALSE_CONDITION_REARM_MS = 100;
/** Variables listed per scope at most. */
const MAX_LOCALS = 40;
/** Scopes whose variables a snapshot lists (the module, script and global scopes are not). */
const CAPTURED_SCOPES = new Set(['local', 'block', 'catch', 'closure']);
const OPEN_PORT = 'the app runs with an inspector port open (--inspect): that debugger is yours, so tracekit sets no breakpoints';
const HOOK = 'globalThis[Symbol.for("tracekit.debug")]';
/** The hook object's remote handle is kept in this group for the session's life. */
const HOOK_GROUP = 'tracekit-hook';

export interface LineBreakpointEvents {
  onState(state: BreakpointState): void;
  onDropped(id: string): void;
  onSnapshot(record: LogRecord): void;
  onLog(level: 'warn' | 'info' | 'debug', key: string, message: string): void;
}

interface Script {
  id: string;
  url: string;
  sourceMapURL: string;
}

/** Where a breakpoint binds in the running code: a script URL and a 0-based line (and column). */
interface Target {
  url: string;
  line: number;
  column: number | undefined;
  map: SourceMap | undefined;
}

/** What one breakpoint's hit came to. */
interface HitOutcome {
  hit: Armed;
  outcome: 'hit' | 'false' | 'failed';
  failure: string;
  body: SnapshotBody | undefined;
  ctx: SnapshotContext | undefined;
}

interface Armed {
  bp: AgentBreakpoint;
  path: string;
  url: string;
  template: TemplatePart[] | undefined;
  v8Id: string | undefined;
  target: Target | undefined;
  /** The column it was requested at (distinct from others of ours on the same line). */
  column: number | undefined;
  state: BreakpointState;
  timer: NodeJS.Timeout | undefined;
  conditionFailures: number;
  stopped: boolean;
  /**
   * The names of the variables at the line, learned from its first (paused) capture: later
   * captures read them in the app's thread without a pause. Undefined until then, and for log
   * points, breakpoints with a condition, and a line whose variables could not be read so.
   */
  names: string[] | undefined;
  /** A capture from the condition was taken and is on its way from the app's thread. */
  captureTaken: boolean;
  /** The number of its latest capturing condition (the app's thread captures once per number). */
  arming: number;
}

export class LineBreakpoints {
  private session: Session | undefined;
  private opening: Promise<boolean> | undefined;
  private readonly scripts = new Map<string, Script>();
  /** scriptId → URL (a call frame's own `url` is often empty). */
  private readonly scriptUrls = new Map<string, string>();
  private readonly maps = new Map<string, Promise<SourceMap | undefined>>();
  private readonly armed = new Map<string, Armed>();
  private readonly byV8Id = new Map<string, Armed>();
  /** Capturing conditions set so far: each one's number is new, so the app's thread captures once per setting. */
  private armings = 0;
  /** tracekit's hook object in the app's thread, as a remote object id (read once per session). */
  private hookId: string | undefined;

  private readonly inspectorOpen: () => boolean;
  private readonly watch: NodeJS.Timeout;

  /** `inspectorFlag`: see DebugWorkerData (1 while the app has an inspector port open). */
  constructor(private readonly appRoot: string | undefined, inspectorFlag: SharedArrayBuffer, private readonly events: LineBreakpointEvents) {
    const flag = new Int32Array(inspectorFlag);
    this.inspectorOpen = () => Atomics.load(flag, 0) === 1;
    // A debugger that attaches later is the user's: step aside.
    this.watch = setInterval(() => {
      if (this.session !== undefined && this.inspectorOpen()) void this.stepAside();
    }, 1000);
    this.watch.unref();
  }

  private async stepAside(): Promise<void> {
    const armed = [...this.armed.values()].map((a) => a.bp);
    await this.close();
    for (const bp of armed) this.events.onState({ id: bp.id, state: 'error', message: OPEN_PORT, hits: 0 });
    this.events.onLog('warn', 'inspect', `live debugging: ${OPEN_PORT}`);
  }

  /** Applies the collector's list of active line breakpoints and log points. */
  async update(list: AgentBreakpoint[]): Promise<void> {
    const wanted = new Map(list.filter((b) => b.kind !== 'snapshot').map((b) => [b.id, b]));
    for (const [id, a] of this.armed) {
      if (!wanted.has(id) || changed(a.bp, wanted.get(id) as AgentBreakpoint)) await this.remove(a);
    }
    const added = [...wanted.values()].filter((b) => !this.armed.has(b.id));
    if (this.armed.size === 0 && added.length === 0) {
      await this.close();
      return;
    }
    if (added.length === 0) return;
    if (!(await this.open(added))) return;
    for (const bp of added) await this.add(bp);
  }

  /** Removes every breakpoint and closes the session. */
  async close(): Promise<void> {
    for (const a of [...this.armed.values()]) await this.remove(a);
    const s = this.session;
    this.session = undefined;
    this.opening = undefined;
    this.hookId = undefined;
    this.scripts.clear();
    this.scriptUrls.clear();
    this.maps.clear();
    if (s === undefined) return;
    try {
      await s.post('Debugger.disable');
    } catch {
      // the thread may be gone
    }
    s.disconnect();
  }

  private async open(added: AgentBreakpoint[]): Promise<boolean> {
    if (this.session !== undefined) return true;
    if (this.inspectorOpen()) {
      this.events.onLog('warn', 'inspect', `live debugging: ${OPEN_PORT}`);
      for (const bp of added) this.events.onState({ id: bp.id, state: 'error', message: OPEN_PORT, hits: 0 });
      return false;
    }
    this.opening ??= (async () => {
      const session = new Session();
      session.connectToMainThread();
      session.on('Debugger.scriptParsed', (m) => this.onScript(m.params));
      session.on('Debugger.paused', (m) => void this.onPaused(m.params));
      session.on('Debugger.breakpointResolved', (m) => this.onResolved(m.params));
      this.session = session;
      await session.post('Debugger.enable');
      await this.warmUp(session);
      this.events.onLog('info', 'enabled', 'live debugging: the inspector is on for file:line breakpoints');
      return true;
    })().catch((err: unknown) => {
      this.session = undefined;
      this.opening = undefined;
      this.events.onLog('warn', 'session', `live debugging: could not open an inspector session (${String(err)})`);
      return false;
    });
    return this.opening;
  }

  /**
   * The inspector's first reads in the app's context set up its machinery (several ms): done
   * now, while the app runs, rather than in the first pause, where they would use up its cap.
   */
  private async warmUp(session: Session): Promise<void> {
    try {
      this.hookId ??= (await session.post('Runtime.evaluate', { expression: HOOK, silent: true, objectGroup: HOOK_GROUP })).result.objectId;
      if (this.hookId !== undefined) await session.post('Runtime.getProperties', { objectId: this.hookId, ownProperties: true, generatePreview: true, objectGroup: OBJECT_GROUP });
      await session.post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
    } catch {
      // only a warm-up
    }
  }

  private onScript(p: Debugger.ScriptParsedEventDataType): void {
    if (!p.url.startsWith('file://')) return;
    this.scriptUrls.set(p.scriptId, p.url);
    this.scripts.set(p.url, { id: p.scriptId, url: p.url, sourceMapURL: p.sourceMapURL ?? '' });
    // A breakpoint waiting for its file: this script may be it, or be built from it.
    for (const a of this.armed.values()) {
      if (a.state.state !== 'pending' || a.stopped) continue;
      // Set by this URL already: V8 bound it as it compiled the script (breakpointResolved
      // follows), and the line may be paused on right now, so it is left as it is.
      if (a.url === p.url && !p.sourceMapURL && a.v8Id !== undefined) continue;
      if (a.url === p.url || (p.sourceMapURL && !p.url.includes('/node_modules/'))) void this.rearm(a);
    }
  }

  private onResolved(p: Debugger.BreakpointResolvedEventDataType): void {
    const a = this.byV8Id.get(p.breakpointId);
    if (a === undefined) return;
    this.setState(a, 'installed', this.userLine(a, p.location.lineNumber, p.location.columnNumber ?? 0), undefined);
  }

  private async add(bp: AgentBreakpoint): Promise<void> {
    const path = isAbsolute(bp.file) ? bp.file : join(this.appRoot ?? process.cwd(), bp.file);
    const a: Armed = { bp, path, url: pathToFileURL(path).href, template: undefined, v8Id: undefined, target: undefined, column: undefined, state: { id: bp.id, state: 'pending', hits: 0 }, timer: undefined, conditionFailures: 0, stopped: false, names: undefined, captureTaken: false, arming: 0 };
    this.armed.set(bp.id, a);
    if (bp.kind === 'logpoint') {
      try {
        a.template = parseTemplate(bp.logTemplate ?? '');
      } catch (err) {
        this.stop(a, 'error', `the log template is malformed: ${(err as Error).message}`);
        return;
      }
    }
    if (!existsSync(path)) {
      this.stop(a, 'error', `no such file: ${bp.file}`);
      return;
    }
    await this.arm(a);
  }

  /** Where the breakpoint's source line runs: the script itself, or a script built from it (source map). */
  private async target(a: Armed): Promise<Target | undefined> {
    const own = this.scripts.get(a.url);
    if (own !== undefined && own.sourceMapURL === '') return { url: a.url, line: a.bp.line - 1, column: undefined, map: undefined };
    for (const s of this.scripts.values()) {
      if (s.sourceMapURL === '' || (s.url !== a.url && s.url.includes('/node_modules/'))) continue;
      const map = await this.mapOf(s);
      const at = map?.sources.includes(a.path) ? map.generatedFor(a.path, a.bp.line) : undefined;
      if (at !== undefined) return { url: s.url, line: at.line, column: at.column, map };
    }
    // Not loaded yet: bind by URL now (V8 binds it when the script loads), unless it will need a map.
    return own === undefined ? { url: a.url, line: a.bp.line - 1, column: undefined, map: undefined } : undefined;
  }

  private mapOf(s: Script): Promise<SourceMap | undefined> {
    let m = this.maps.get(s.url);
    if (m === undefined) {
      m = loadSourceMap(s.url, s.sourceMapURL);
      this.maps.set(s.url, m);
    }
    return m;
  }

  private async arm(a: Armed): Promise<void> {
    const session = this.session;
    if (session === undefined || a.stopped || a.v8Id !== undefined) return;
    if (Date.now() > a.bp.expiresAtMs) return;
    try {
      const target = await this.target(a);
      if (target === undefined) {
        this.stop(a, 'error', `${a.bp.file} is loaded but no code of it maps to line ${a.bp.line}`);
        return;
      }
      if (a.stopped || a.v8Id !== undefined) return;
      a.target = target;
      if (a.names !== undefined) a.arming = ++this.armings;
      const condition = captureCondition(a);
      const r = await session.post('Debugger.setBreakpointByUrl', { url: target.url, lineNumber: target.line, columnNumber: this.freeColumn(a, target), ...(condition !== undefined ? { condition } : {}) });
      a.v8Id = r.breakpointId;
      this.byV8Id.set(r.breakpointId, a);
      // At a high rate the line may have run, and captured, before this answer came back.
      if (a.captureTaken) await this.unset(a);
      const loc = r.locations[0];
      if (loc !== undefined) this.setState(a, 'installed', this.userLine(a, loc.lineNumber, loc.columnNumber ?? 0), undefined);
      else if (this.scripts.has(target.url)) this.stop(a, 'error', `no code runs at or after line ${a.bp.line} of ${a.bp.file}`);
      else this.setState(a, 'pending', undefined, `${a.bp.file} is not loaded yet`);
    } catch (err) {
      this.stop(a, 'error', `could not set the breakpoint: ${(err as Error).message}`);
    }
  }

  /**
   * V8 refuses a second breakpoint requested at the same url, line and column; another of ours
   * on the same line asks one column further (it resolves to the same statement).
   */
  private freeColumn(a: Armed, target: Target): number | undefined {
    const taken = new Set<number>();
    for (const other of this.armed.values()) {
      if (other !== a && other.column !== undefined && other.target?.url === target.url && other.target.line === target.line) taken.add(other.column);
    }
    let column = target.column ?? 0;
    while (taken.has(column)) column++;
    a.column = column;
    return column === 0 && target.column === undefined ? undefined : column;
  }

  /** Sets a pending breakpoint again (its file, or a script mapped from it, just loaded). */
  private async rearm(a: Armed): Promise<void> {
    await this.unset(a);
    await this.arm(a);
  }

  private userLine(a: Armed, line0: number, col0: number): number {
    const map = a.target?.map;
    if (map === undefined) return line0 + 1;
    return map.originalFor(line0, col0)?.line ?? line0 + 1;
  }

  private async unset(a: Armed): Promise<void> {
    const id = a.v8Id;
    a.column = undefined;
    if (id === undefined) return;
    a.v8Id = undefined;
    this.byV8Id.delete(id);
    try {
      await this.session?.post('Debugger.removeBreakpoint', { breakpointId: id });
    } catch {
      // gone already
    }
  }

  private async remove(a: Armed): Promise<void> {
    a.stopped = true;
    clearTimeout(a.timer);
    this.armed.delete(a.bp.id);
    await this.unset(a);
    this.events.onDropped(a.bp.id);
  }

  private stop(a: Armed, state: 'error' | 'installed', message: string | undefined): void {
    a.stopped = true;
    clearTimeout(a.timer);
    void this.unset(a);
    this.setState(a, state, a.state.line, message);
  }

  private setState(a: Armed, state: BreakpointState['state'], line: number | undefined, message: string | undefined): void {
    a.state = { id: a.bp.id, state, hits: a.state.hits, ...(line !== undefined ? { line } : {}), ...(message !== undefined ? { message } : {}) };
    this.events.onState(a.state);
  }

  private schedule(a: Armed, ms: number): void {
    if (a.stopped) return;
    clearTimeout(a.timer);
    a.timer = setTimeout(() => void this.arm(a), ms);
  }

  private async onPaused(p: Debugger.PausedEventDataType): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    const hits = [...new Set((p.hitBreakpoints ?? []).map((id) => this.byV8Id.get(id)).filter((a): a is Armed => a !== undefined))];
    if (hits.length === 0) {
      // Not our breakpoint: a `debugger` statement, which only pauses because this session
      // enabled the debugger. With another debugger attached (a port open) it is not ours to resume.
      if (!this.inspectorOpen()) await session.post('Debugger.resume').catch(() => undefined);
      return;
    }
    const started = performance.now();
    const outcomes: HitOutcome[] = [];
    try {
      // Several of ours can share a line: each is handled in the same pause.
      for (const hit of hits) outcomes.push(await this.handle(session, hit, p, started));
    } finally {
      await session.post('Debugger.resume').catch(() => undefined);
      void session.post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }).catch(() => undefined);
    }
    const pauseMs = performance.now() - started;
    for (const o of outcomes) {
      await this.unset(o.hit);
      this.afterHit(o, { pauseMs: round3(pauseMs) });
    }
  }

  /** One breakpoint's work on the paused frame: its condition, then its log line or snapshot. */
  private async handle(session: Session, hit: Armed, p: Debugger.PausedEventDataType, started: number): Promise<HitOutcome> {
    const frame = p.callFrames[0];
    const o: HitOutcome = { hit, outcome: 'hit', failure: '', body: undefined, ctx: undefined };
    try {
      if (hit.bp.condition !== undefined && hit.bp.condition !== '') {
        const r = await this.evaluate(session, frame.callFrameId, `(${hit.bp.condition})`);
        if (r.error !== undefined) {
          o.outcome = 'failed';
          o.failure = r.error;
          return o;
        }
        if (!r.value.value) {
          o.outcome = 'false';
          return o;
        }
      }
      if (hit.template !== undefined) {
        await this.logpoint(session, hit, frame.callFrameId);
        return o;
      }
      const budget = new CaptureBudget();
      const reader = new RemoteReader(session, budget, started + PAUSE_CAP_MS);
      const variables = await this.locals(reader, frame);
      o.ctx = await this.context(session);
      const stack = p.callFrames.slice(0, LIMITS.frames * 2).map((f) => this.frame(f));
      o.body = this.body(hit, stack, variables, o.ctx, [...budget.cut]);
      // The names of a capture cut short by the pause cap would be missing some: the next hit pauses again.
      if (hit.bp.kind === 'line' && (hit.bp.condition ?? '') === '' && !reader.timeCut()) hit.names = variables.map(([name]) => name).filter(isPlainName);
    } catch (err) {
      o.outcome = 'failed';
      o.failure = (err as Error).message;
    }
    return o;
  }

  /** `timing`: how long the app waited for this hit (paused, or held by a capture in its thread). */
  private afterHit(o: HitOutcome, timing: Pick<SnapshotBody, 'pauseMs' | 'heldMs'>): void {
    const { hit: a, outcome, failure, body, ctx } = o;
    if (outcome === 'failed') {
      a.conditionFailures++;
      if (a.conditionFailures >= MAX_CONDITION_FAILURES) {
        this.stop(a, 'error', `the condition failed ${a.conditionFailures} times in a row (last: ${failure}); the breakpoint is off`);
        return;
      }
      this.schedule(a, Math.min(a.bp.intervalMs, FALSE_CONDITION_REARM_MS));
      return;
    }
    a.conditionFailures = 0;
    if (outcome === 'false') {
      this.schedule(a, Math.min(a.bp.intervalMs, FALSE_CONDITION_REARM_MS));
      return;
    }
    a.state = { ...a.state, hits: a.state.hits + 1 };
    this.events.onState(a.state);
    if (body !== undefined) {
      Object.assign(body, timing);
      this.events.onSnapshot(snapshotRecord(body, { traceId: ctx?.traceId, spanId: ctx?.spanId }, Date.now()));
    }
    if (a.state.hits >= a.bp.maxHits) {
      this.stop(a, 'installed', `reached its limit of ${a.bp.maxHits} hits`);
      return;
    }
    this.schedule(a, a.bp.intervalMs);
  }

  /** Evaluates an expression on the paused frame, side-effect free, with a timeout. */
  private async evaluate(session: Session, callFrameId: string, expression: string): Promise<{ value: Runtime.RemoteObject; error?: undefined } | { error: string }> {
    // `timeout` is in the protocol (experimental) but not in @types/node's parameter type.
    const params: Debugger.EvaluateOnCallFrameParameterType & { timeout: number } = { callFrameId, expression, throwOnSideEffect: true, timeout: EVAL_TIMEOUT_MS, silent: true, returnByValue: false, objectGroup: OBJECT_GROUP };
    const r = await session.post('Debugger.evaluateOnCallFrame', params);
    if (r.exceptionDetails !== undefined) {
      const text = r.result.description ?? r.exceptionDetails.exception?.description ?? r.exceptionDetails.text;
      return { error: text.split('\n')[0].slice(0, 200) };
    }
    return { value: r.result };
  }

  private async logpoint(session: Session, a: Armed, callFrameId: string): Promise<void> {
    let message = '';
    for (const part of a.template ?? []) {
      if ('text' in part) {
        message += part.text;
        continue;
      }
      const r = await this.evaluate(session, callFrameId, part.expr);
      if (r.error !== undefined) message += `{${r.error}}`;
      else if (isSecretKey(part.expr.split(/[.[\]'"\s]+/).filter(Boolean).pop() ?? '')) message += REDACTED;
      else message += describe(r.value);
    }
    const call = `${HOOK}?.logpoint(${JSON.stringify(a.bp.id)}, ${JSON.stringify(message.slice(0, 8192))}, ${JSON.stringify(a.bp.logTarget ?? 'log')})`;
    await session.post('Debugger.evaluateOnCallFrame', { callFrameId, expression: call, silent: true, returnByValue: true });
  }

  /** The paused frame's variables: local, block, catch and closure scopes, innermost first. */
  private async locals(reader: RemoteReader, frame: Debugger.CallFrame): Promise<[string, ValueNode][]> {
    const out: [string, ValueNode][] = [];
    const names = new Set<string>();
    for (const scope of frame.scopeChain) {
      if (!CAPTURED_SCOPES.has(scope.type) || scope.object.objectId === undefined || isModuleWrapper(scope, frame) || reader.outOfTime()) continue;
      const { entries } = await reader.properties(scope.object.objectId, -1, MAX_LOCALS);
      for (const [name, node] of entries) {
        if (names.has(name)) continue; // an inner variable shadows an outer one
        names.add(name);
        out.push([name, node]);
      }
    }
    return out;
  }

  /**
   * The paused code's request context, read by tracekit's own hook in the app's thread. A call
   * on the hook object runs in the paused code's async context as an evaluation on the frame
   * would, without materialising the frame's scopes for it (about 0.2-0.4 ms less per pause).
   */
  private async context(session: Session): Promise<SnapshotContext | undefined> {
    this.hookId ??= (await session.post('Runtime.evaluate', { expression: HOOK, silent: true, objectGroup: HOOK_GROUP })).result.objectId;
    if (this.hookId === undefined) return undefined;
    const r = await session.post('Runtime.callFunctionOn', { objectId: this.hookId, functionDeclaration: 'function () { return this.context(); }', silent: true, returnByValue: true });
    if (r.exceptionDetails !== undefined || typeof r.result.value !== 'string') return undefined;
    return JSON.parse(r.result.value) as SnapshotContext;
  }

  /**
   * A capture the app's thread made from the breakpoint's condition: finished as a paused one
   * is (the stack mapped to the user's source), and the breakpoint handled as hit.
   */
  async captured(c: LineCapture): Promise<void> {
    const a = this.armed.get(c.id);
    // Late (the breakpoint was removed or changed since): nothing to count.
    if (a === undefined || a.stopped || !a.captureTaken) return;
    a.captureTaken = false;
    const body = this.body(a, this.stackFromText(c.stack), c.variables, c.context, c.cut);
    this.afterHit({ hit: a, outcome: 'hit', failure: '', body, ctx: c.context }, { heldMs: round3(c.heldMs) });
  }

  /** The app's thread took a capture from the condition: the breakpoint comes off at once. */
  async captureTaken(id: string): Promise<void> {
    const a = this.armed.get(id);
    if (a === undefined || a.stopped || a.captureTaken) return;
    a.captureTaken = true;
    // Not yet set as far as this side knows: arm() removes it when V8's answer comes.
    if (a.v8Id !== undefined) await this.unset(a);
  }

  /** The app's thread could not read the line's variables: this breakpoint pauses again. */
  async captureFailed(id: string, message: string): Promise<void> {
    const a = this.armed.get(id);
    if (a === undefined || a.names === undefined) return;
    await this.unset(a);
    a.names = undefined;
    a.captureTaken = false;
    this.events.onLog('debug', `capture-${id}`, `live debugging: ${a.bp.file}:${a.bp.line} is captured with a pause (${message})`);
    if (!a.stopped) await this.rearm(a);
  }

  /** V8 stack text from a condition's capture, from the breakpoint's frame down, mapped. */
  private stackFromText(text: string): StackFrame[] {
    const lines = text.split('\n');
    // The hook's frames, then the condition's `eval` frame, then the line's own frame.
    const evalAt = lines.findIndex((l) => l.includes(' (eval at '));
    return parseStack(lines.slice(evalAt + 1).join('\n')).map((f) => {
      const url = f.file.startsWith('file://') ? f.file : pathToFileURL(f.file).href;
      const mapped = this.mapped(url, f.line - 1, f.column - 1);
      return mapped === undefined ? f : { ...f, ...mapped };
    });
  }

  private body(a: Armed, frames: StackFrame[], variables: [string, ValueNode][], ctx: SnapshotContext | undefined, cut: string[]): SnapshotBody {
    const stack = appFrames(frames, this.appRoot, LIMITS.frames);
    const top = stack[0];
    return {
      breakpointId: a.bp.id,
      label: undefined,
      kind: 'line',
      file: a.bp.file,
      line: a.state.line ?? a.bp.line,
      function: top?.function ?? '<anonymous>',
      variables,
      stack,
      request: ctx?.request,
      sinceRequestMs: ctx?.sinceRequestMs,
      cut,
    };
  }

  /** A frame as file:line (absolute) in the user's source, through a source map already loaded for its script. */
  private frame(f: Debugger.CallFrame): StackFrame {
    const fn = f.functionName === '' ? '<anonymous>' : f.functionName;
    const url = f.url !== '' ? f.url : (this.scriptUrls.get(f.location.scriptId) ?? '');
    let file = url.startsWith('file://') ? fileURLToPath(url) : url;
    let line = f.location.lineNumber + 1;
    let column = (f.location.columnNumber ?? 0) + 1;
    const mapped = this.mapped(url, f.location.lineNumber, f.location.columnNumber ?? 0);
    if (mapped !== undefined) ({ file, line, column } = mapped);
    return { function: fn, file, line, column, library: file.includes('/node_modules/') };
  }

  private mapped(url: string, line0: number, col0: number): { file: string; line: number; column: number } | undefined {
    for (const a of this.armed.values()) {
      if (a.target?.url === url && a.target.map !== undefined) return a.target.map.originalFor(line0, col0);
    }
    return undefined;
  }
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Names a condition can read as they are (V8 also lists internal ones such as `.this_function`). */
function isPlainName(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'arguments' && name !== 'this' && name !== '__proto__' && !name.startsWith(CAPTURE_VAR);
}

/** The condition's own variable (a name no app uses; a variable of the app by that name is left out). */
const CAPTURE_VAR = '__tracekit$';

/**
 * The V8 condition that captures in the app's thread without pausing (docs/debugging.md,
 * "Captures without a pause"): it calls tracekit's hook with a function reading the line's
 * variables and is always false. Set one-shot like every breakpoint, so it runs about once per
 * capture, never on every run of the line. Undefined while the breakpoint must pause.
 */
function captureCondition(a: Armed): string | undefined {
  if (a.names === undefined || a.bp.kind !== 'line' || (a.bp.condition ?? '') !== '') return undefined;
  // Each read on its own: a variable declared further down its block cannot be read yet (a
  // ReferenceError on Node 22 and later) and is shown as undefined, as a paused capture shows it.
  const reads = a.names.map((n) => `try { ${CAPTURE_VAR}.${n} = ${n}; } catch { ${CAPTURE_VAR}.${n} = undefined; }`).join(' ');
  return `${HOOK}?.lineCapture(${JSON.stringify(a.bp.id)}, ${a.arming}, () => { const ${CAPTURE_VAR} = {}; ${reads} return ${CAPTURE_VAR}; }) ?? false`;
}

/**
 * The scope of a CommonJS module's wrapper function (the function that starts at the top of
 * the script): the module's own top level, which is left out as an ES module's is.
 */
function isModuleWrapper(scope: Debugger.Scope, frame: Debugger.CallFrame): boolean {
  const at = scope.startLocation;
  return scope.type === 'closure' && at !== undefined && at.scriptId === frame.location.scriptId && at.lineNumber === 0 && (at.columnNumber ?? 0) === 0;
}

function changed(a: AgentBreakpoint, b: AgentBreakpoint): boolean {
  return a.file !== b.file || a.line !== b.line || a.condition !== b.condition || a.logTemplate !== b.logTemplate || a.logTarget !== b.logTarget || a.maxHits !== b.maxHits || a.intervalMs !== b.intervalMs || a.expiresAtMs !== b.expiresAtMs;
}

/** A value as a log point writes it: primitives as they are, objects by their description; secret-looking values redacted. */
function describe(v: Runtime.RemoteObject): string {
  let text: string;
  if (v.type === 'string') text = String(v.value);
  else if (v.type === 'undefined') text = 'undefined';
  else if (v.value !== undefined) text = String(v.value);
  else text = v.unserializableValue ?? v.description ?? v.type;
  if (looksSecret(text)) return REDACTED;
  return text.length > LIMITS.chars ? `${text.slice(0, LIMITS.chars)}...` : text;
}
