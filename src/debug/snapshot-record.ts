/**
 * A snapshot as an OTLP log record (shared/contract.ts, SNAPSHOT): the body is the snapshot as
 * JSON, so a third-party backend shows it as a structured log line; tracekit's collector
 * stores it as a snapshot.
 */
import type { StackFrame } from '../shared/stack-frames';
import type { LogRecord } from '../otlp/types';
import { SNAPSHOT as S } from '../shared/contract';
import type { ValueNode } from './value-tree';

/** The request a snapshot was taken in (request-context.ts reads it). */
export interface RequestSummary {
  method: string;
  route: string | undefined;
  url: string | undefined;
  headers: Record<string, string>;
}

export interface SnapshotContext {
  traceId: string | undefined;
  spanId: string | undefined;
  request: RequestSummary | undefined;
  /** Milliseconds since the request began, when inside one. */
  sinceRequestMs: number | undefined;
}

/** The snapshot itself (the record's body). */
export interface SnapshotBody {
  breakpointId: string;
  label: string | undefined;
  /** `snapshot` (a captureSnapshot call) or `line` (a file:line breakpoint). */
  kind: 'snapshot' | 'line';
  file: string;
  line: number;
  function: string;
  variables: [string, ValueNode][];
  stack: Omit<StackFrame, 'library'>[];
  request: RequestSummary | undefined;
  sinceRequestMs: number | undefined;
  /** What the limits left out ("size: over 64 KB", "time: pause cap 10 ms"...); empty when nothing. */
  cut: string[];
  /** How long the app was paused for it (a file:line breakpoint's paused capture), ms. */
  pauseMs?: number;
  /** How long the capture ran in the app's thread when it was made without a pause, ms. */
  heldMs?: number;
}

/**
 * The longest body sent, in characters: under the collector's 64 KiB cap on one value, so a
 * snapshot is never cut into JSON that cannot be read. The capture budget aims lower; this is
 * the guarantee.
 */
export const MAX_BODY_CHARS = 60_000;

/** The body as JSON within {@link MAX_BODY_CHARS}: the last variables are left out (and said) until it fits. */
function bodyJson(body: SnapshotBody): string {
  let json = JSON.stringify(body);
  if (json.length <= MAX_BODY_CHARS) return json;
  const trimmed: SnapshotBody = { ...body, variables: [...body.variables], cut: [...body.cut] };
  let dropped = 0;
  while (json.length > MAX_BODY_CHARS && trimmed.variables.length > 0) {
    trimmed.variables.pop();
    dropped++;
    trimmed.cut = [...body.cut, `size: ${dropped} variable(s) left out to stay under ${Math.round(MAX_BODY_CHARS / 1000)} KB`];
    json = JSON.stringify(trimmed);
  }
  if (json.length > MAX_BODY_CHARS) json = JSON.stringify({ ...trimmed, stack: trimmed.stack.slice(0, 3), request: undefined });
  return json;
}

/** The log record carrying one snapshot. */
export function snapshotRecord(body: SnapshotBody, ctx: Pick<SnapshotContext, 'traceId' | 'spanId'>, timeMs: number): LogRecord {
  return {
    timeMs,
    severityNumber: 9,
    severityText: 'INFO',
    body: bodyJson(body),
    eventName: S.eventName,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    attributes: {
      [S.breakpoint]: body.breakpointId,
      [S.label]: body.label,
      [S.function]: body.function,
      [S.file]: body.file,
      [S.line]: body.line,
    },
  };
}
