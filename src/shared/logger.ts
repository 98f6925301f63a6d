/**
 * tracekit's own diagnostics. One line per message, prefixed `[tracekit]`, to stderr,
 * filtered by TRACEKIT_LOG_LEVEL. `once` exists because an agent that repeats the same
 * warning on every request is itself a problem for the app it observes.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
let threshold = RANK.warn;
const seen = new Set<string>();
const SEEN_LIMIT = 1000;

/** Sets the lowest level that is printed. */
export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level];
}

/** True when messages at `level` are printed (lets callers skip building them). */
export function enabled(level: LogLevel): boolean {
  return RANK[level] <= threshold;
}

function write(level: LogLevel, message: string): void {
  if (RANK[level] > threshold) return;
  try {
    process.stderr.write(`[tracekit] ${level}: ${message}\n`);
  } catch {
    // stderr closed: nothing useful left to do.
  }
}

export const log = {
  error: (m: string): void => write('error', m),
  warn: (m: string): void => write('warn', m),
  info: (m: string): void => write('info', m),
  debug: (m: string): void => write('debug', m),
  /** Logs a message only the first time `key` is seen in this process. */
  once(level: LogLevel, key: string, message: string): void {
    if (seen.has(key)) return;
    if (seen.size < SEEN_LIMIT) seen.add(key);
    write(level, message);
  },
};
