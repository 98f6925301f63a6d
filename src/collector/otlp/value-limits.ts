/**
 * Bounds on what one record may put in the store, whatever the encoding (docs/collector.md,
 * "Limits"). A few hundred bytes of OTLP can describe deep nesting, and the store keeps
 * attributes as JSON text, so without bounds a tiny request could cost seconds and gigabytes:
 *
 * - nested values (kvlist and array AnyValues) are built as one tree and turned into JSON
 *   text once, at the top (never re-escaping a child's text at every level), and a level
 *   deeper than {@link MAX_DEPTH} becomes a marker string instead of being read;
 * - one string value is cut at {@link MAX_VALUE_CHARS}, with a marker saying how much went;
 * - one record's attributes (a span's, with its events' and links', or a log record's with
 *   its body) stop at {@link MAX_RECORD_CHARS}: later attributes are dropped and counted in
 *   the span's dropped-attributes count.
 *
 * Every cut is counted; the decoders are synchronous, so the count is kept here between
 * {@link resetCuts} and {@link takeCuts} around one request's decode.
 */
import type { AttributeMap, AttributeScalar, AttributeValue } from '../../otlp/types';

/** Deepest nesting of arrays and maps kept inside one attribute value. */
export const MAX_DEPTH = 8;
/** Longest string kept in one value (JSON text of a nested value included), in UTF-16 units. */
export const MAX_VALUE_CHARS = 64 * 1024;
/** Most attribute text one record keeps, keys and values together. */
export const MAX_RECORD_CHARS = 512 * 1024;

/** What a level of nesting past {@link MAX_DEPTH} is stored as. */
export const TOO_DEEP = `[nested deeper than ${MAX_DEPTH} levels]`;

/** A decoded AnyValue before it becomes an attribute: maps and arrays nest as themselves. */
export type ValueTree = AttributeScalar | null | ValueTree[] | { [key: string]: ValueTree };

let cuts = 0;

/** Starts counting cuts for one request. */
export function resetCuts(): void {
  cuts = 0;
}

/** The cuts made since {@link resetCuts}. */
export function takeCuts(): number {
  const n = cuts;
  cuts = 0;
  return n;
}

/** Records a level of nesting that was not read. */
export function noteTooDeep(): ValueTree {
  cuts++;
  return TOO_DEEP;
}

/** A string within {@link MAX_VALUE_CHARS}, marked where it was cut. */
export function boundString(s: string): string {
  if (s.length <= MAX_VALUE_CHARS) return s;
  cuts++;
  return `${s.slice(0, MAX_VALUE_CHARS)}...[truncated ${s.length - MAX_VALUE_CHARS} chars]`;
}

function isScalar(v: ValueTree): v is AttributeScalar {
  return v !== null && typeof v !== 'object';
}

/**
 * The attribute form of a decoded value: scalars and arrays of scalars as they are, anything
 * else (a map, a nested array, an array holding null) as JSON text, made once.
 */
export function treeToAttribute(tree: ValueTree): AttributeValue {
  if (tree === null) return null;
  if (typeof tree === 'string') return boundString(tree);
  if (typeof tree !== 'object') return tree;
  if (Array.isArray(tree) && tree.every(isScalar)) return boundArray(tree);
  return boundString(JSON.stringify(tree));
}

/** An array of scalars whose text stays within one value's bound. */
function boundArray(values: AttributeScalar[]): AttributeScalar[] {
  let chars = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    chars += typeof v === 'string' ? v.length + 3 : 8;
    if (chars > MAX_VALUE_CHARS) {
      cuts++;
      return values.slice(0, i);
    }
  }
  return values;
}

function valueChars(v: AttributeValue): number {
  if (v === null || v === undefined) return 4;
  if (typeof v === 'string') return v.length;
  if (!Array.isArray(v)) return 8;
  let n = 2;
  for (const x of v) n += typeof x === 'string' ? x.length + 3 : 8;
  return n;
}

/**
 * Keeps a record's attribute maps within {@link MAX_RECORD_CHARS} together (`budget` is what
 * is left, shared across the maps of one record). Returns the budget left and how many
 * attributes were dropped.
 */
export function boundAttributes(map: AttributeMap | undefined, budget: number): { budget: number; dropped: number } {
  if (map === undefined) return { budget, dropped: 0 };
  let dropped = 0;
  for (const key in map) {
    const size = key.length + valueChars(map[key]);
    if (size > budget) {
      delete map[key];
      dropped++;
      continue;
    }
    budget -= size;
  }
  cuts += dropped;
  return { budget, dropped };
}
