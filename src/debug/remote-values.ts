/**
 * Values of a paused frame, read through the inspector into the same bounded tree as
 * `captureSnapshot`'s (value-tree.ts). Only own properties are read (`Runtime.getProperties`
 * with `ownProperties`), which runs no getter and no proxy trap; an accessor is shown as one.
 * Each call is a round trip to the paused thread, so the walk also stops at a deadline.
 */
import type { Runtime } from 'node:inspector';
import type { Session } from 'node:inspector/promises';
import { isSecretKey, looksSecret, numberLooksSecret, REDACTED } from './secrets';
import { CaptureBudget, LIMITS, stringNode, SUMMARISED_CLASSES, type ValueNode } from './value-tree';

/** Remote objects made for a capture are released as one group after it. */
export const OBJECT_GROUP = 'tracekit-capture';

const REDACTED_NODE: ValueNode = { type: 'redacted', value: REDACTED };
const TIME_CUT = 'time: the pause cap was reached';

/** One capture's walk: its session, size budget and deadline (performance.now() ms). */
export class RemoteReader {
  constructor(
    private readonly session: Session,
    readonly budget: CaptureBudget,
    private readonly deadline: number,
  ) {}

  /** True if the walk was cut by the deadline. */
  timeCut(): boolean {
    return this.budget.cut.has(TIME_CUT);
  }

  /** True (and marked) once the pause has lasted as long as it may. */
  outOfTime(): boolean {
    if (performance.now() < this.deadline) return false;
    this.budget.cut.add(TIME_CUT);
    return true;
  }

  /** Own enumerable properties of an object (or a scope), as named nodes. */
  async properties(objectId: string, depth: number, max: number = LIMITS.fields): Promise<{ entries: [string, ValueNode][]; omitted: number }> {
    // Previews come back with each object value: a small object or array of plain values is
    // then read from its preview, without another round trip to the paused thread.
    const { result } = await this.session.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: true, objectGroup: OBJECT_GROUP } as Runtime.GetPropertiesParameterType);
    return this.entries(result, depth, max);
  }

  private async entries(result: Runtime.PropertyDescriptor[], depth: number, max: number): Promise<{ entries: [string, ValueNode][]; omitted: number }> {
    const entries: [string, ValueNode][] = [];
    let omitted = 0;
    for (const p of result) {
      if (p.enumerable === false && !p.name.startsWith('[')) continue;
      if (p.name === '__proto__') continue;
      if (entries.length >= max || this.budget.full || this.outOfTime()) {
        omitted++;
        continue;
      }
      this.budget.take(p.name.length + 8);
      if (isSecretKey(p.name)) entries.push([p.name, REDACTED_NODE]);
      else if (p.value === undefined) entries.push([p.name, { type: 'getter', value: p.get !== undefined && p.get.type !== 'undefined' ? '[Getter]' : '[Setter]' }]);
      else entries.push([p.name, await this.value(p.value, depth + 1)]);
    }
    return { entries, omitted };
  }

  /** One remote value as a node. */
  async value(v: Runtime.RemoteObject, depth: number): Promise<ValueNode> {
    switch (v.type) {
      case 'string':
        return looksSecret(String(v.value)) ? REDACTED_NODE : stringNode(String(v.value), this.budget);
      case 'number':
        this.budget.take(16);
        if (typeof v.value === 'number' && numberLooksSecret(v.value)) return REDACTED_NODE;
        return { type: 'number', value: typeof v.value === 'number' ? v.value : (v.unserializableValue ?? v.description ?? 'NaN') };
      case 'boolean':
        this.budget.take(16);
        return { type: 'boolean', value: v.value === true };
      case 'undefined':
        this.budget.take(16);
        return { type: 'undefined' };
      case 'bigint':
        this.budget.take(24);
        return { type: 'bigint', value: (v.unserializableValue ?? v.description ?? '').replace(/n$/, '').slice(0, LIMITS.chars) };
      case 'symbol':
        return { type: 'symbol', value: (v.description ?? '').slice(0, LIMITS.chars) };
      case 'function':
        return { type: 'function', value: `[Function: ${(v.description ?? '').split('\n')[0].replace(/^(async )?function\*? ?/, '').replace(/\(.*$/, '') || '(anonymous)'}]`.slice(0, LIMITS.chars) };
      default:
        return this.object(v, depth);
    }
  }

  private async object(v: Runtime.RemoteObject, depth: number): Promise<ValueNode> {
    const className = v.className ?? 'Object';
    const description = (v.description ?? className).slice(0, LIMITS.chars);
    switch (v.subtype) {
      case 'null':
        return { type: 'null', value: null };
      case 'date':
      case 'regexp':
      case 'promise':
      case 'proxy':
      case 'typedarray':
      case 'arraybuffer':
      case 'dataview':
      case 'weakmap':
      case 'weakset':
      case 'iterator':
      case 'generator':
      case 'wasmvalue':
        this.budget.take(description.length + 24);
        return { type: 'object', className, value: v.subtype === 'proxy' ? 'Proxy (not opened: its traps are application code)' : description };
      case 'error':
        return { type: 'object', className, value: looksSecret(description) ? REDACTED : description.split('\n')[0] };
      default:
        break;
    }
    if (SUMMARISED_CLASSES.has(className)) {
      this.budget.take(className.length + 24);
      return { type: 'summary', className, value: className };
    }
    if (depth >= LIMITS.depth || v.objectId === undefined || this.budget.full || this.outOfTime()) {
      this.budget.take(description.length + 24);
      return { type: 'cut', className, value: description };
    }
    if (v.subtype === 'map' || v.subtype === 'set') return this.collection(v, className, depth);
    const isArray = v.subtype === 'array';
    const max = isArray ? LIMITS.items : LIMITS.fields;
    const previewed = fromPreview(v.preview);
    const { entries, omitted } = previewed !== undefined ? await this.entries(previewed, depth, max) : await this.properties(v.objectId, depth, max);
    if (isArray) {
      const items = entries.filter(([k]) => /^\d+$/.test(k)).map(([k, n]): [string, ValueNode] => [`[${k}]`, n]);
      const size = Number(/\((\d+)\)$/.exec(description)?.[1] ?? items.length);
      const node: ValueNode = { type: 'array', className, size, entries: items };
      if (items.length < size) node.omitted = size - items.length;
      return node;
    }
    const node: ValueNode = { type: 'object', className, entries };
    if (omitted > 0) node.omitted = omitted;
    return node;
  }

  /** A Map or Set: its `[[Entries]]` internal property, each entry's key and value. */
  private async collection(v: Runtime.RemoteObject, className: string, depth: number): Promise<ValueNode> {
    const type = v.subtype === 'map' ? 'map' : 'set';
    const size = Number(/\((\d+)\)/.exec(v.description ?? '')?.[1] ?? 0);
    const node: ValueNode = { type, className, size, entries: [] };
    const { internalProperties } = await this.session.post('Runtime.getProperties', { objectId: v.objectId, ownProperties: true, objectGroup: OBJECT_GROUP } as Runtime.GetPropertiesParameterType);
    const list = internalProperties?.find((p) => p.name === '[[Entries]]')?.value?.objectId;
    if (list === undefined) return node;
    const { result } = await this.session.post('Runtime.getProperties', { objectId: list, ownProperties: true, objectGroup: OBJECT_GROUP } as Runtime.GetPropertiesParameterType);
    const entries = node.entries as [string, ValueNode][];
    for (const p of result) {
      if (!/^\d+$/.test(p.name) || p.value?.objectId === undefined) continue;
      if (entries.length >= LIMITS.items || this.budget.full || this.outOfTime()) break;
      const pair = await this.session.post('Runtime.getProperties', { objectId: p.value.objectId, ownProperties: true, objectGroup: OBJECT_GROUP } as Runtime.GetPropertiesParameterType);
      const key = pair.result.find((x) => x.name === 'key')?.value;
      const value = pair.result.find((x) => x.name === 'value')?.value;
      if (type === 'set') {
        if (value !== undefined) entries.push([`[${entries.length}]`, await this.value(value, depth + 1)]);
        continue;
      }
      const name = key === undefined ? '?' : key.type === 'string' ? String(key.value).slice(0, LIMITS.chars) : (key.description ?? String(key.value)).slice(0, LIMITS.chars);
      entries.push([name, isSecretKey(name) ? REDACTED_NODE : value === undefined ? { type: 'undefined' } : await this.value(value, depth + 1)]);
    }
    if (entries.length < size) node.omitted = size - entries.length;
    return node;
  }
}

/** V8 cuts a string in a preview to this many characters (with an ellipsis in the middle). */
const PREVIEW_STRING_CUT = 100;

/**
 * An object's own properties from its preview, when the preview holds all of them (no
 * overflow) and each is a value read as it is: a string short enough not to be cut, a number,
 * a boolean, undefined or null. Otherwise undefined, and the object is read with a round trip.
 */
export function fromPreview(preview: Runtime.ObjectPreview | undefined): Runtime.PropertyDescriptor[] | undefined {
  if (preview === undefined || preview.overflow) return undefined;
  const out: Runtime.PropertyDescriptor[] = [];
  for (const p of preview.properties) {
    const value = previewValue(p);
    if (value === undefined) return undefined;
    out.push({ name: p.name, value, enumerable: true, configurable: true });
  }
  return out;
}

function previewValue(p: Runtime.PropertyPreview): Runtime.RemoteObject | undefined {
  const text = p.value ?? '';
  switch (p.type) {
    case 'string':
      return text.length >= PREVIEW_STRING_CUT ? undefined : { type: 'string', value: text };
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) && text !== '-0' ? { type: 'number', value: n } : { type: 'number', unserializableValue: text, description: text };
    }
    case 'boolean':
      return { type: 'boolean', value: text === 'true' };
    case 'undefined':
      return { type: 'undefined' };
    case 'object':
      return p.subtype === 'null' ? { type: 'object', subtype: 'null', value: null } : undefined;
    default:
      return undefined;
  }
}
