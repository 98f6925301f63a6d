/**
 * Node's stack trace lines, parsed into frames for the code inventory (docs/collector.md, "Code
 * inventory"). The forms V8 writes:
 *
 *   at fn (/app/x.js:10:5)              at async fn (/app/x.js:10:5)
 *   at new Class (/app/x.js:10:5)       at Object.<anonymous> (/app/x.js:10:5)
 *   at Foo.bar [as baz] (/app/x.js:10:5)
 *   at /app/x.js:10:5                   (an anonymous function)
 *   at fn (file:///app/x.mjs:10:5)      (ES modules)
 *   at eval (eval at outer (/app/x.js:10:5), <anonymous>:1:7)   (the eval's origin is used)
 *
 * `node:` internals, `<anonymous>` and `native` locations are dropped; frames under a
 * `node_modules` folder are kept and marked as library code.
 */

/** One frame of a stack, with its file relative to the app's root when it lies inside it. */
export interface StackFrame {
  /** The function as V8 names it, without `async `, `new ` or an `[as alias]`; `<anonymous>` when it has none. */
  function: string;
  file: string;
  line: number;
  column: number;
  /** Inside a node_modules folder. */
  library: boolean;
}

const AT = /^\s*at (?:async )?(.*)$/;
const LOCATION = /^(.*):(\d+):(\d+)$/;

/** A `file://` URL as a path (percent-escapes decoded); any other location as it is. */
function pathOf(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return decodeURIComponent(location.slice('file://'.length));
  } catch {
    return location.slice('file://'.length);
  }
}

/** `fn (loc)` or `loc` → [function, location]. The location is the last parenthesised part. */
function split(rest: string): [string, string] {
  if (!rest.endsWith(')')) return ['<anonymous>', rest];
  // eval frames hold parentheses inside: take the origin, the innermost `(file:line:col)`.
  const evalAt = /\(eval at .*?\((.*?:\d+:\d+)\)/.exec(rest);
  const open = rest.indexOf(' (');
  const name = open === -1 ? '<anonymous>' : rest.slice(0, open);
  if (evalAt !== null) return [name, evalAt[1]];
  return [name, rest.slice(open + 2, -1)];
}

function cleanName(name: string): string {
  const n = name.replace(/^new /, '').replace(/ \[as [^\]]*\]$/, '').trim();
  return n === '' ? '<anonymous>' : n;
}

/**
 * The frames of a stack text, top first. `root`, when given, is the app's folder: files inside
 * it are reported relative to it. Lines that are not frames (the message) are skipped.
 */
export function parseStack(stack: string, root?: string): StackFrame[] {
  const frames: StackFrame[] = [];
  const prefix = root === undefined || root === '' ? undefined : root.endsWith('/') ? root : `${root}/`;
  for (const text of stack.split('\n')) {
    const frame = frameOfLine(text);
    if (frame === undefined || isNodeInternal(frame.file)) continue;
    if (prefix !== undefined && frame.file.startsWith(prefix)) frame.file = frame.file.slice(prefix.length);
    frames.push(frame);
  }
  return frames;
}

/** One `at ...` line as a frame (its file absolute), or undefined when it is not one V8 locates. */
export function frameOfLine(text: string): StackFrame | undefined {
  const at = AT.exec(text);
  if (at === null) return undefined;
  const [name, location] = split(at[1]);
  const loc = LOCATION.exec(location);
  if (loc === null) return undefined;
  const file = pathOf(loc[1]);
  return { function: cleanName(name), file, line: Number(loc[2]), column: Number(loc[3]), library: /(^|\/)node_modules\//.test(file) };
}

/** Node's own code, or code with no file: never the app's. */
export function isNodeInternal(file: string): boolean {
  return file.startsWith('node:') || file === '<anonymous>' || file === 'native';
}
