/**
 * Stack frames of tracekit itself (its wrappers around route handlers) are left out of a
 * snapshot's stack: they are the same in every snapshot and say nothing about the app.
 */
import { relative, resolve, sep } from 'node:path';
import type { StackFrame } from '../shared/stack-frames';

const OWN_DIR = resolve(__dirname, '..') + sep;

/** True for a file (absolute path) inside tracekit's own built code. */
export function isOwnFile(file: string): boolean {
  return file.startsWith(OWN_DIR);
}

/** The frames that are not tracekit's, at most `max`, with files relative to `root` when inside it. */
export function appFrames(frames: StackFrame[], root: string | undefined, max: number): Omit<StackFrame, 'library'>[] {
  const out: Omit<StackFrame, 'library'>[] = [];
  for (const f of frames) {
    if (out.length >= max) break;
    if (f.file === '' || f.file.startsWith('node:') || isOwnFile(f.file)) continue;
    const file = root !== undefined && f.file.startsWith(root + sep) ? relative(root, f.file) : f.file;
    out.push({ function: f.function, file, line: f.line, column: f.column });
  }
  return out;
}
