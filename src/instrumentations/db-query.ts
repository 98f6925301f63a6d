/**
 * What every database instrumentation does with one query: a CLIENT span named after the
 * normalised statement (`SELECT users`) with the OpenTelemetry database attributes, and the
 * query's time counted on the request that issued it, sampled or not. Only the normalised text
 * is ever stored: the raw SQL, its values and its results are read for nothing else.
 */
import { SpanKind, createContextKey, type Context, type Span as ApiSpan, type Tracer } from '@opentelemetry/api';
import type { ContextCalls, Switch } from './kit';
import { querySpanName, summarizeSql, SUMMARY_CACHE_MAX_LENGTH, type SqlDialect } from '../sql/normalize';
import { applyBlock } from '../tracer/attribute-block';
import { queryBlock, queryShape } from './query-attributes';
import { scrubDatabaseMessage } from '../sql/scrub-message';
import { nowMs } from '../tracer/time';
import { recordError } from './record-error';
import { currentRequest, type RequestState } from './request-state';

/**
 * Set by an ORM around a query it sends through a driver (Prisma's `db_query`): a driver
 * instrumentation that sees the query marks it seen, so the ORM adds no span of its own.
 */
export const ORM_QUERY_KEY = createContextKey('tracekit.orm.query');

/** What the ORM learns about its query from the driver instrumentation. */
export interface OrmQuery {
  seen: boolean;
}

/** Where a query goes, as the span reports it. */
export interface QueryTarget {
  /** `db.system.name`: `postgresql`, `mysql`, `sqlite`... */
  system: string;
  /** How to read the text: which quotes are strings. */
  dialect: SqlDialect;
  namespace?: string;
  address?: string;
  port?: number;
}

/** One query in flight. */
export interface QueryCall {
  span: ApiSpan;
  state: RequestState | undefined;
  template: string;
  startMs: number;
  /** The context the query was issued in; callbacks run in it. */
  parent: Context;
  ended: boolean;
}

/**
 * Starts the span of one query in `parent`. Returns undefined when there is nothing to record:
 * the span is not sampled and no request is counting.
 */
export function startQuery(tracer: Tracer, sql: string | undefined, target: QueryTarget, parent: Context, startMs?: number): QueryCall | undefined {
  const orm = parent.getValue(ORM_QUERY_KEY) as OrmQuery | undefined;
  if (orm !== undefined) orm.seen = true;
  const state = currentRequest(parent);
  const summary = typeof sql === 'string' ? summarizeSql(sql, target.dialect) : undefined;
  // A statement's name and attributes are made once per database (see query-attributes.ts).
  const shape = summary !== undefined && (sql as string).length <= SUMMARY_CACHE_MAX_LENGTH ? queryShape(target, summary) : undefined;
  const name = shape !== undefined ? shape.name : summary === undefined ? target.system : querySpanName(summary, target.system);
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: startMs }, parent);
  const recording = span.isRecording();
  if (!recording && state === undefined) return undefined;
  // A statement not kept (too long, or past the tables' limits) gets a block of its own.
  if (recording) applyBlock(span, shape !== undefined ? shape.block : queryBlock(target, summary));
  return { span, state, template: summary?.text ?? target.system, startMs: startMs ?? nowMs(), parent, ended: false };
}

/** Ends a query once: its span (with the error or row count) and its share of the request. */
export function endQuery(call: QueryCall, error: unknown, rows: number | undefined, endMs = nowMs()): void {
  if (call.ended) return;
  call.ended = true;
  call.state?.recordQuery(call.template, endMs - call.startMs);
  const span = call.span;
  if (span.isRecording()) {
    if (error !== undefined && error !== null) recordError(span, error, scrubDatabaseMessage);
    else if (rows !== undefined) span.setAttribute('db.response.returned_rows', rows);
  }
  span.end(endMs);
}

/** `endQuery` that can never throw into the caller: a failure switches the instrumentation off. */
export function endQuerySafely(call: QueryCall, error: unknown, rows: number | undefined, sw: Switch, where: string): void {
  try {
    endQuery(call, error, rows);
  } catch (e) {
    sw.fail(where, e);
  }
}

type NodeCallback = (this: unknown, err: unknown, result?: unknown) => unknown;

/**
 * Wraps a driver callback `(err, result)`: ends the query (rows counted by `rows`), then runs
 * the caller's callback with the same arguments, in the context the query was issued in; or,
 * with no `contexts`, as it is (for a callback that only settles a native promise, whose
 * awaiters resume in their own context: docs/agent.md, "Context entries").
 */
export function endingCallback(call: QueryCall, callback: NodeCallback, sw: Switch, rows: (result: unknown) => number | undefined, contexts: ContextCalls | undefined): NodeCallback {
  return function (this: unknown, err: unknown, result?: unknown): unknown {
    try {
      endQuery(call, err, err ? undefined : rows(result));
    } catch (e) {
      sw.fail('query callback', e);
    }
    if (contexts === undefined) return callback.apply(this, arguments as unknown as [unknown, unknown]);
    const self = this;
    const args = arguments as unknown as [unknown, unknown];
    return contexts.run(call.parent, () => callback.apply(self, args));
  };
}
