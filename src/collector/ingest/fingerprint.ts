/**
 * Error grouping. Two errors are the same problem when they have the same type and were
 * thrown from the same code path: the fingerprint hashes the service, the exception type
 * and the top frames of the stack with line and column numbers removed (so an edit above
 * the throw does not split a group). Without a stack, the message stands in, with the
 * values that vary between occurrences (numbers, ids, quoted text) folded away.
 */
import { createHash } from 'node:crypto';

const FRAMES_USED = 5;

/** The function and file of each `at ...` line, without positions; node internals skipped. */
export function stackSignature(stack: string): string[] {
  const frames: string[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    if (line.includes('(node:') || line.startsWith('at node:')) continue;
    frames.push(line.replace(/:\d+(?::\d+)?(\)?)$/, '$1').replace(/\s+/g, ' '));
    if (frames.length === FRAMES_USED) break;
  }
  return frames;
}

/** A message with varying values folded: quoted text, hex ids, uuids and numbers. */
export function messageSignature(message: string): string {
  return message
    .replace(/(["'`]).*?\1/g, '?')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '?')
    .replace(/\b(0x)?[0-9a-f]{8,}\b/gi, '?')
    .replace(/\d+(\.\d+)?/g, '0')
    .slice(0, 300);
}

/** The group key of an error: 16 hex digits. */
export function fingerprint(service: string, type: string, message: string, stack: string): string {
  const frames = stackSignature(stack);
  const basis = frames.length > 0 ? frames.join('\n') : messageSignature(message);
  return createHash('sha256').update(service).update('\0').update(type).update('\0').update(basis).digest('hex').slice(0, 16);
}
