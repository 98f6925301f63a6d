/**
 * A recording span. Its own fields are the exporter's SpanRecord, so ending a span hands
 * the object itself to the exporter, which encodes it there and then: no copy on the hot
 * path. Limits (attribute count, string length, event count) keep one runaway span from
 * growing memory.
 */
import {
  SpanStatusCode,
  type Attributes,
  type AttributeValue as ApiAttributeValue,
  type Exception,
  type Link,
  type Span as ApiSpan,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { AttributeBlock, AttributeMap, AttributeValue, BlockAttributes, EventRecord, LinkRecord, OtlpSpanKind, SpanIdWords, SpanRecord, TraceIdWords } from '../otlp/types';
import { traceIdHex, wordsToHex } from './id-hex';
import { nonZeroWord, randomWord } from './ids';
import { traceStateView } from './trace-state';
import { withoutAgentFrames } from './agent-frames';
import { toEpochMs } from './time';

export const MAX_ATTRIBUTES = 128;
export const MAX_EVENTS = 128;
export const MAX_LINKS = 32;
export const MAX_STRING_LENGTH = 16 * 1024;

/** The lists every span starts with; frozen, because a span replaces them before its first attribute (see `attributeKeys`). */
const NO_KEYS: string[] = Object.freeze([]) as unknown as string[];
const NO_VALUES: AttributeValue[] = Object.freeze([]) as unknown as AttributeValue[];
const NO_BLOCKS: readonly AttributeBlock[] = Object.freeze([]);

type EndHandler = (span: Span) => void;
let onEnd: EndHandler = () => {};

/** Sets where every ended recording span goes (the agent wires this to its exporter). */
export function setSpanEndHandler(handler: EndHandler): void {
  onEnd = handler;
}

/** An attribute value within the limits: long strings cut, arrays copied (and cut) so later changes by the caller do not reach the span. */
export function clampValue(v: ApiAttributeValue | undefined): AttributeMap[string] {
  if (typeof v === 'string') return v.length > MAX_STRING_LENGTH ? v.slice(0, MAX_STRING_LENGTH) : v;
  if (Array.isArray(v)) {
    const out = v.slice(0, MAX_ATTRIBUTES) as unknown[];
    for (let i = 0; i < out.length; i++) if (typeof out[i] === 'string' && (out[i] as string).length > MAX_STRING_LENGTH) out[i] = (out[i] as string).slice(0, MAX_STRING_LENGTH);
    return out as AttributeMap[string];
  }
  return v as AttributeMap[string];
}

/** `keys.includes(key)` as a plain loop: a few short keys, compared mostly by identity (measured cheaper than the builtin here). */
function hasKey(keys: readonly string[], key: string): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
  return false;
}

export class Span implements ApiSpan, SpanRecord, SpanIdWords, BlockAttributes {
  /** Trace id words (see ids.ts). */
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  /** Span id words. */
  readonly s0: number;
  readonly s1: number;
  /** Parent span id words; both 0 for a root span (an all-zero span id is invalid). */
  readonly p0: number;
  readonly p1: number;
  private traceHex: string | undefined = undefined;
  private spanHex: string | undefined = undefined;
  traceState: string | undefined;
  name: string;
  kind: OtlpSpanKind;
  startMs: number;
  endMs = 0;
  /**
   * Attributes as parallel arrays, keys unique in the order first set. Adding keys one by one
   * to a plain object sends V8 through a map transition in its runtime for every new key
   * (the store site sees every span's shape, so it is megamorphic); pushing to two arrays
   * does not. The encoder reads these; `attributes` builds the object view on demand.
   * A span starts with the shared empty lists, and its first attribute gets lists of one:
   * an empty array's first push allocates room for 17, and most spans hold one or two
   * attributes of their own (the rest come in shared blocks).
   */
  attributeKeys: string[] = NO_KEYS;
  attributeValues: AttributeValue[] = NO_VALUES;
  /** Shared attributes encoded once, in the order given (see `useBlock`); the encoder copies their bytes. */
  attributeBlocks: readonly AttributeBlock[] = NO_BLOCKS;
  events: EventRecord[] | undefined = undefined;
  links: LinkRecord[] | undefined = undefined;
  statusCode: 0 | 1 | 2 = 0;
  statusMessage: string | undefined = undefined;
  droppedAttributes = 0;
  droppedEvents = 0;
  scopeName: string;
  scopeVersion: string | undefined;
  private context: SpanContext | undefined = undefined;

  /** `trace` holds the trace id words and `p0`/`p1` the parent's span id words (0, 0 for a root); the span id is made here. */
  constructor(
    name: string,
    kind: SpanKind,
    trace: TraceIdWords,
    p0: number,
    p1: number,
    traceState: string | undefined,
    scopeName: string,
    scopeVersion: string | undefined,
    startTime?: TimeInput,
  ) {
    this.name = name;
    this.kind = ((kind as number) + 1) as OtlpSpanKind;
    this.t0 = trace.t0;
    this.t1 = trace.t1;
    this.t2 = trace.t2;
    this.t3 = trace.t3;
    this.s0 = nonZeroWord();
    this.s1 = randomWord();
    this.p0 = p0;
    this.p1 = p1;
    this.traceState = traceState;
    this.scopeName = scopeName;
    this.scopeVersion = scopeVersion;
    this.startMs = toEpochMs(startTime);
  }

  /** The trace id as 32 hex characters, built on first use. */
  get traceId(): string {
    return (this.traceHex ??= traceIdHex(this));
  }

  /** The span id as 16 hex characters, built on first use. */
  get spanId(): string {
    return (this.spanHex ??= wordsToHex(this.s0, this.s1));
  }

  /** The parent's span id as hex, or undefined for a root span. */
  get parentSpanId(): string | undefined {
    return (this.p0 | this.p1) === 0 ? undefined : wordsToHex(this.p0, this.p1);
  }

  spanContext(): SpanContext {
    // Built lazily: most spans are never asked for it (only parents and propagators ask).
    if (this.context === undefined) {
      this.context = { traceId: this.traceId, spanId: this.spanId, traceFlags: 1, isRemote: false };
      if (this.traceState !== undefined) this.context.traceState = traceStateView(this.traceState);
    }
    return this.context;
  }

  /** The attributes as a plain object (a copy; for readers other than the encoder). */
  get attributes(): AttributeMap {
    const out: AttributeMap = {};
    for (const block of this.attributeBlocks) for (let i = 0; i < block.keys.length; i++) out[block.keys[i]] = block.values[i];
    for (let i = 0; i < this.attributeKeys.length; i++) out[this.attributeKeys[i]] = this.attributeValues[i];
    return out;
  }

  setAttribute(key: string, value: ApiAttributeValue | undefined): this {
    if (this.endMs !== 0 || value === undefined || value === null) return this;
    const blocks = this.attributeBlocks;
    for (let b = 0; b < blocks.length; b++) {
      if (hasKey(blocks[b].keys, key)) {
        this.dissolve(b);
        break;
      }
    }
    const keys = this.attributeKeys;
    const n = keys.length;
    for (let i = 0; i < n; i++) {
      if (keys[i] === key) {
        this.attributeValues[i] = clampValue(value);
        return this;
      }
    }
    if (n + this.blockAttributeCount() >= MAX_ATTRIBUTES) {
      this.droppedAttributes++;
      return this;
    }
    if (n === 0) {
      this.attributeKeys = [key];
      this.attributeValues = [clampValue(value)];
      return this;
    }
    keys.push(key);
    this.attributeValues.push(clampValue(value));
    return this;
  }

  /**
   * Gives the span a block of shared attributes, encoded once (not part of the OTel API;
   * instrumentations use it for attributes that many spans repeat, see `attributeBlock`). The
   * one rule: a block never replaces an attribute the span already has, and an attribute set
   * later, by anyone, replaces the block's. A block none of whose keys the span has is kept
   * whole and its bytes copied at encoding; otherwise its other keys are set one by one.
   */
  useBlock(block: AttributeBlock): this {
    if (this.endMs !== 0) return this;
    let shared = this.attributeKeys.length + this.blockAttributeCount() + block.keys.length <= MAX_ATTRIBUTES;
    for (let i = 0; shared && i < block.keys.length; i++) shared = !this.has(block.keys[i]);
    if (shared) {
      const blocks = this.attributeBlocks;
      // Literals for the usual one or two blocks (a server span has two): no spread on the hot path.
      this.attributeBlocks = blocks.length === 0 ? [block] : blocks.length === 1 ? [blocks[0], block] : [...blocks, block];
      return this;
    }
    for (let i = 0; i < block.keys.length; i++) {
      if (!this.has(block.keys[i])) this.setAttribute(block.keys[i], block.values[i] as ApiAttributeValue);
    }
    return this;
  }

  /** Whether the span has `key`, in its own lists or a block. */
  private has(key: string): boolean {
    if (hasKey(this.attributeKeys, key)) return true;
    const blocks = this.attributeBlocks;
    for (let b = 0; b < blocks.length; b++) if (hasKey(blocks[b].keys, key)) return true;
    return false;
  }

  /** Moves block `b`'s attributes into the span's own lists (one of its keys is being set). */
  private dissolve(b: number): void {
    const block = this.attributeBlocks[b];
    this.attributeBlocks = this.attributeBlocks.filter((_, i) => i !== b);
    this.attributeKeys = [...this.attributeKeys, ...block.keys];
    this.attributeValues = [...this.attributeValues, ...block.values];
  }

  /** How many attributes the shared blocks hold. */
  private blockAttributeCount(): number {
    const blocks = this.attributeBlocks;
    let n = 0;
    for (let b = 0; b < blocks.length; b++) n += blocks[b].keys.length;
    return n;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key] as ApiAttributeValue);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endMs !== 0) return this;
    if (this.events === undefined) this.events = [];
    if (this.events.length >= MAX_EVENTS) {
      this.droppedEvents++;
      return this;
    }
    let attributes: AttributeMap | undefined;
    if (attributesOrTime !== undefined && typeof attributesOrTime === 'object' && !Array.isArray(attributesOrTime) && !(attributesOrTime instanceof Date)) {
      attributes = {};
      for (const key in attributesOrTime as Attributes) attributes[key] = clampValue((attributesOrTime as Attributes)[key]);
    } else if (attributesOrTime !== undefined) {
      time = attributesOrTime as TimeInput;
    }
    this.events.push({ name, timeMs: toEpochMs(time), attributes });
    return this;
  }

  addLink(link: Link): this {
    if (this.endMs !== 0) return this;
    if (this.links === undefined) this.links = [];
    if (this.links.length >= MAX_LINKS) return this;
    this.links.push({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceState: link.context.traceState?.serialize(),
      attributes: link.attributes as AttributeMap | undefined,
    });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endMs !== 0) return this;
    // Per the spec, OK is final and UNSET never overrides a status already set.
    if (this.statusCode === 1 || status.code === SpanStatusCode.UNSET) return this;
    this.statusCode = status.code === SpanStatusCode.OK ? 1 : 2;
    this.statusMessage = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? status.message : undefined;
    return this;
  }

  updateName(name: string): this {
    if (this.endMs === 0) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endMs !== 0) return;
    const end = toEpochMs(endTime);
    this.endMs = end < this.startMs ? this.startMs : end;
    this.context = undefined; // not needed any more
    onEnd(this);
  }

  isRecording(): boolean {
    return this.endMs === 0;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.addEvent('exception', exceptionAttributes(exception), time);
  }
}

/** The `exception.*` event attributes for any thrown value. */
export function exceptionAttributes(exception: unknown): Attributes {
  if (exception === null || exception === undefined) return { 'exception.message': String(exception) };
  if (typeof exception !== 'object') return { 'exception.type': typeof exception, 'exception.message': String(exception) };
  const e = exception as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; constructor?: { name?: unknown } };
  const attrs: Attributes = {};
  const ctorName = typeof e.constructor?.name === 'string' && e.constructor.name !== 'Object' ? e.constructor.name : undefined;
  const type = typeof e.name === 'string' && e.name !== 'Error' ? e.name : ctorName ?? (typeof e.name === 'string' ? e.name : undefined);
  if (type !== undefined) attrs['exception.type'] = type;
  else if (typeof e.code === 'string' || typeof e.code === 'number') attrs['exception.type'] = String(e.code);
  if (typeof e.message === 'string') attrs['exception.message'] = e.message;
  if (typeof e.stack === 'string') attrs['exception.stacktrace'] = withoutAgentFrames(e.stack);
  return attrs;
}
