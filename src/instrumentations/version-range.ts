/**
 * Version ranges for module patches: comparators (`>=`, `>`, `<=`, `<`, `=`) joined by spaces
 * (all must hold) and alternatives joined by `||`, as semver writes them, with prerelease
 * versions compared like any other (semver's `includePrerelease`). An upper bound written
 * short (`<5`, `<5.1`) excludes that version's prereleases, as in semver. The semver package
 * does this and much more, at 47 modules and 0.4 MB of heap in every instrumented process.
 */

type Version = { nums: [number, number, number]; pre: string[] };
type Comparator = { op: '<' | '<=' | '>' | '>=' | '='; v: Version };

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(text: string): { v: Version; parts: number } | undefined {
  const m = VERSION.exec(text.trim());
  if (m === null) return undefined;
  const parts = m[3] !== undefined ? 3 : m[2] !== undefined ? 2 : 1;
  return { v: { nums: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre: m[4] === undefined ? [] : m[4].split('.') }, parts };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // a release sorts after its prereleases
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === undefined) return -1;
    if (b[i] === undefined) return 1;
    const an = /^\d+$/.test(a[i]);
    const bn = /^\d+$/.test(b[i]);
    if (an && bn && Number(a[i]) !== Number(b[i])) return Number(a[i]) - Number(b[i]);
    if (an !== bn) return an ? -1 : 1;
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.nums[i] !== b.nums[i]) return a.nums[i] - b.nums[i];
  return comparePre(a.pre, b.pre);
}

function comparator(text: string): Comparator | undefined {
  const m = /^(<=|>=|<|>|=)?\s*(.+)$/.exec(text);
  if (m === null) return undefined;
  const parsed = parse(m[2]);
  if (parsed === undefined) return undefined;
  const op = (m[1] ?? '=') as Comparator['op'];
  // `<5` means below every 5.x, prereleases included: `<5.0.0-0`.
  if (op === '<' && parsed.parts < 3 && parsed.v.pre.length === 0) parsed.v.pre = ['0'];
  return { op, v: parsed.v };
}

function holds(c: Comparator, v: Version): boolean {
  const d = compare(v, c.v);
  switch (c.op) {
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '>': return d > 0;
    case '>=': return d >= 0;
    default: return d === 0;
  }
}

/** True when `version` lies in `range`; false for anything unparsable. */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (v === undefined) return false;
  return range.split('||').some((alt) => {
    const parts = alt.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return false;
    const comparators = parts.map(comparator);
    return comparators.every((c) => c !== undefined && holds(c, v.v));
  });
}
