/**
 * `captureSnapshot`'s variables, read in the app's own thread into a bounded {@link ValueNode}
 * tree. Reading must never run the app's code or change its objects: own properties only,
 * through their descriptors (a getter is shown, not called), no `toJSON`/`toString`, a proxy
 * described and not opened (its traps are the app's code), and a request, response or socket
 * summarised rather than walked.
 */
import { types } from 'node:util';
import { isSecretKey, looksSecret, numberLooksSecret, REDACTED } from './secrets';
import { CaptureBudget, LIMITS, stringNode, SUMMARISED_CLASSES, type ValueNode } from './value-tree';

const REDACTED_NODE: ValueNode = { type: 'redacted', value: REDACTED };

/** The name of an object's class, read without running anything (no getter, no proxy trap). */
function classOf(o: object): string {
  try {
    let proto = Object.getPrototypeOf(o) as object | null;
    for (let i = 0; proto !== null && i < 50; i++) {
      const d = Object.getOwnPropertyDescriptor(proto, 'constructor');
      if (d !== undefined && 'value' in d && typeof d.value === 'function') {
        const n = Object.getOwnPropertyDescriptor(d.value, 'name');
        if (n !== undefined && typeof n.value === 'string' && n.value !== '') return n.value;
      }
      proto = Object.getPrototypeOf(proto) as object | null;
    }
  } catch {
    // an exotic object: fall through
  }
  return 'Object';
}

/** A short, code-free description of a summarised object (method and url of a request...). */
function summary(o: Record<string, unknown>, className: string, budget: CaptureBudget): ValueNode {
  const parts: string[] = [];
  for (const k of ['method', 'url', 'statusCode', 'remoteAddress']) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (d !== undefined && 'value' in d && (typeof d.value === 'string' || typeof d.value === 'number')) parts.push(`${k}=${String(d.value).slice(0, 120)}`);
  }
  const text = parts.length > 0 ? `${className} ${parts.join(' ')}` : className;
  budget.take(text.length + 40);
  return { type: 'summary', className, value: text };
}

/** Captures one value within the limits; never throws. */
export function captureValue(value: unknown, budget: CaptureBudget, depth = 0, seen: object[] = []): ValueNode {
  try {
    return walk(value, budget, depth, seen);
  } catch (err) {
    return { type: 'error', value: `could not read: ${String((err as Error)?.message ?? err).slice(0, 120)}` };
  }
}

function walk(value: unknown, budget: CaptureBudget, depth: number, seen: object[]): ValueNode {
  switch (typeof value) {
    case 'string':
      return looksSecret(value) ? REDACTED_NODE : stringNode(value, budget);
    case 'number':
      budget.take(16);
      return numberLooksSecret(value) ? REDACTED_NODE : { type: 'number', value: Number.isFinite(value) ? value : String(value) };
    case 'boolean':
      budget.take(16);
      return { type: 'boolean', value };
    case 'undefined':
      budget.take(16);
      return { type: 'undefined' };
    case 'bigint':
      budget.take(24);
      return { type: 'bigint', value: String(value).slice(0, LIMITS.chars) };
    case 'symbol':
      budget.take(24);
      return { type: 'symbol', value: String(value.description ?? '').slice(0, LIMITS.chars) };
    case 'function': {
      const d = Object.getOwnPropertyDescriptor(value, 'name');
      const name = d !== undefined && typeof d.value === 'string' && d.value !== '' ? d.value : '(anonymous)';
      budget.take(name.length + 24);
      return { type: 'function', value: `[Function: ${name.slice(0, LIMITS.chars)}]` };
    }
    default:
      break;
  }
  if (value === null) {
    budget.take(16);
    return { type: 'null', value: null };
  }
  const o = value as object;
  if (types.isProxy(o)) return { type: 'object', className: 'Proxy', value: 'Proxy (not opened: its traps are application code)' };
  if (seen.includes(o)) return { type: 'circular', value: '[Circular]' };
  const className = classOf(o);
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    return { type: 'object', className, value: Number.isNaN(t) ? 'Invalid Date' : new Date(t).toISOString() };
  }
  if (types.isRegExp(o)) return stringNode(RegExp.prototype.toString.call(o), budget);
  if (types.isNativeError(o)) {
    const message = Object.getOwnPropertyDescriptor(o, 'message');
    const text = `${className}: ${typeof message?.value === 'string' ? message.value : ''}`;
    return { type: 'object', className, value: looksSecret(text) ? REDACTED : text.slice(0, LIMITS.chars) };
  }
  if (SUMMARISED_CLASSES.has(className)) return summary(o as Record<string, unknown>, className, budget);
  if (types.isPromise(o)) return { type: 'object', className, value: 'Promise' };
  if (depth >= LIMITS.depth) {
    budget.take(32);
    return { type: 'cut', className, value: Array.isArray(o) ? `Array(${o.length})` : className };
  }
  seen.push(o);
  try {
    if (Array.isArray(o)) return items(o.length, (i) => ['[' + i + ']', o[i]], 'array', className, budget, depth, seen);
    if (types.isMap(o)) {
      const all = first(Map.prototype.entries.call(o) as Iterator<[unknown, unknown]>);
      return items(builtinSize(MAP_SIZE, o), (i) => [keyText(all[i][0]), all[i][1]], 'map', className, budget, depth, seen, all.length);
    }
    if (types.isSet(o)) {
      const all = first(Set.prototype.values.call(o) as Iterator<unknown>);
      return items(builtinSize(SET_SIZE, o), (i) => ['[' + i + ']', all[i]], 'set', className, budget, depth, seen, all.length);
    }
    if (types.isTypedArray(o) || types.isArrayBuffer(o) || Buffer.isBuffer(o)) {
      const len = (o as { byteLength: number }).byteLength;
      return { type: 'object', className, value: `${className}(${len} bytes)` };
    }
    return properties(o, className, budget, depth, seen);
  } finally {
    seen.pop();
  }
}

const MAP_SIZE = Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get;
const SET_SIZE = Object.getOwnPropertyDescriptor(Set.prototype, 'size')?.get;

/** A map's or set's size through the built-in getter (an own `size` property could be anything). */
function builtinSize(getter: (() => number) | undefined, o: object): number {
  return getter === undefined ? 0 : (Reflect.apply(getter, o, []) as number);
}

/** The first items of a built-in iterator, at most the item limit (a huge map is not copied). */
function first<T>(it: Iterator<T>): T[] {
  const out: T[] = [];
  for (let r = it.next(); r.done !== true && out.length < LIMITS.items; r = it.next()) out.push(r.value);
  return out;
}

function keyText(k: unknown): string {
  return typeof k === 'string' ? k.slice(0, LIMITS.chars) : typeof k === 'number' || typeof k === 'boolean' ? String(k) : `[${typeof k}]`;
}

function items(size: number, at: (i: number) => [string, unknown], type: string, className: string, budget: CaptureBudget, depth: number, seen: object[], available = size): ValueNode {
  const entries: [string, ValueNode][] = [];
  const n = Math.min(size, available, LIMITS.items);
  for (let i = 0; i < n && !budget.full; i++) {
    const [name, v] = at(i);
    entries.push([name, type === 'map' && isSecretKey(name) ? REDACTED_NODE : captureValue(v, budget, depth + 1, seen)]);
  }
  const node: ValueNode = { type, className, size, entries };
  if (entries.length < size) node.omitted = size - entries.length;
  return node;
}

function properties(o: object, className: string, budget: CaptureBudget, depth: number, seen: object[]): ValueNode {
  const keys = Reflect.ownKeys(o);
  const entries: [string, ValueNode][] = [];
  let listed = 0;
  let enumerable = 0;
  for (const key of keys) {
    if (typeof key === 'symbol') continue;
    const d = Reflect.getOwnPropertyDescriptor(o, key);
    if (d === undefined || !d.enumerable) continue;
    enumerable++;
    if (listed >= LIMITS.fields || budget.full) continue;
    listed++;
    budget.take(key.length + 8);
    if (isSecretKey(key)) entries.push([key, REDACTED_NODE]);
    else if (!('value' in d)) entries.push([key, { type: 'getter', value: d.get !== undefined ? '[Getter]' : '[Setter]' }]);
    else entries.push([key, captureValue(d.value, budget, depth + 1, seen)]);
  }
  const node: ValueNode = { type: 'object', className, entries };
  if (listed < enumerable) node.omitted = enumerable - listed;
  return node;
}

/** The named variables of a `captureSnapshot` call, each captured; secret names redacted. */
export function captureVariables(vars: unknown, budget: CaptureBudget): [string, ValueNode][] {
  if (vars === null || typeof vars !== 'object' || types.isProxy(vars)) return vars === undefined ? [] : [['value', captureValue(vars, budget)]];
  const node = properties(vars, 'Object', budget, -1, [vars]);
  return node.entries ?? [];
}
