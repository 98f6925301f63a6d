/**
 * What tracekit does when the process is about to end, without changing how it ends.
 *
 * - Uncaught exceptions and unhandled rejections (which Node turns into uncaught exceptions
 *   by default) are seen through `uncaughtExceptionMonitor`, which observes without handling:
 *   the error is recorded, the buffer is flushed synchronously, and Node then prints and exits
 *   exactly as it would have.
 * - SIGTERM/SIGINT: if the app has no handler of its own, tracekit flushes synchronously and
 *   re-raises the signal, so the process still dies by that signal. If the app handles it,
 *   tracekit only starts an asynchronous flush and leaves the shutdown to the app.
 * - `beforeExit` and `exit` flush whatever is left, synchronously (so no new work keeps the
 *   loop alive and `beforeExit` does not fire again).
 */
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { currentRequest } from '../instrumentations/request-state';
import { recordError } from '../instrumentations/record-error';
import { log } from '../shared/logger';

export interface ExitTarget {
  tracer: import('@opentelemetry/api').Tracer;
  /** Flushes spans and final metrics synchronously (blocks up to the flush timeout). */
  flushSync(): void;
  /** Starts an asynchronous flush. */
  flush(): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function recordFatal(target: ExitTarget, err: unknown, origin: string): void {
  const ctx = context.active();
  const span = target.tracer.startSpan(origin, { attributes: { 'tracekit.error.origin': origin } }, ctx);
  recordError(span, err);
  span.end();
  // The request this error interrupted will never finish on its own: close its span now.
  const state = currentRequest(ctx);
  const active = trace.getSpan(ctx);
  if (state !== undefined && state.span.isRecording()) {
    recordError(state.span, err);
    state.endPending();
    state.span.end();
  } else if (active !== undefined && active.isRecording()) {
    active.setStatus({ code: SpanStatusCode.ERROR });
  }
}

/** Installs the exit-path hooks. Returns a function that removes them. */
export function installProcessHooks(target: ExitTarget): () => void {
  const onFatal = (err: unknown, origin: string): void => {
    try {
      recordFatal(target, err, origin);
      target.flushSync();
    } catch (e) {
      log.debug(`could not record the fatal error: ${e instanceof Error ? e.stack : String(e)}`);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) {
      target.flush().catch(() => {});
      return;
    }
    try {
      target.flushSync();
    } catch (e) {
      log.debug(`flush on ${signal} failed: ${String(e)}`);
    }
    remove();
    process.kill(process.pid, signal);
  };
  const onBeforeExit = (): void => target.flushSync();
  const onExit = (): void => target.flushSync();

  process.on('uncaughtExceptionMonitor', onFatal);
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);

  function remove(): void {
    process.removeListener('uncaughtExceptionMonitor', onFatal);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
  }
  return remove;
}
