/**
 * tracekit's own frames in a recorded stack. The agent's wrappers (express handlers, the
 * context manager) sit between the app's frames when an error passes through them; they tell
 * the user nothing and make one error look like several to grouping. The text that is
 * recorded leaves them out; the app's error object and its `stack` are never touched.
 */
import { resolve, sep } from 'node:path';

/** This package's compiled code: every file of the agent lives under it. */
export const AGENT_DIR = `${resolve(__dirname, '..')}${sep}`;

/**
 * The stack without the frames of code under `agentDir` (tracekit's, by default), and without
 * the `AsyncLocalStorage.run` frame that its context manager puts directly above its own.
 * Costs one `includes` when there is none.
 */
export function withoutAgentFrames(stack: string, agentDir = AGENT_DIR): string {
  if (!stack.includes(agentDir)) return stack;
  const lines = stack.split('\n');
  const agent = lines.map((l) => /^\s+at /.test(l) && l.includes(agentDir));
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (agent[i]) continue;
    if (agent[i + 1] === true && /^\s+at .*\(node:async_hooks:\d+:\d+\)$/.test(lines[i])) continue;
    kept.push(lines[i]);
  }
  return kept.join('\n');
}
