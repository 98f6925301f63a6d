/**
 * Prisma 6 and 7, through Prisma's own tracing hook rather than a patch or a pinned
 * `@prisma/instrumentation`: the client looks for a helper object at
 * `globalThis.V<major>_PRISMA_INSTRUMENTATION.helper` and, when it is enabled, asks it to run
 * each step in a span. tracekit answers for majors 6 and 7 only (the range is the keys it
 * sets), and turns the steps into:
 *
 * - one INTERNAL span per client operation, `prisma User.findMany` (`$transaction` too);
 * - the SQL of each `db_query` step as a CLIENT `db` span: the driver's own span when pg or
 *   mysql2 runs it (the driver adapter calls the driver inside the step, so the span nests
 *   under the operation), or, when no instrumented driver saw it, a span made from what
 *   Prisma reports, with the same normalisation.
 *
 * Prisma's other steps (serialize, compile, connect) run untraced: they are the ORM's own
 * bookkeeping. A helper someone else registered (`@prisma/instrumentation`) is left in place.
 */
import { trace, SpanKind, type Context, type Span as ApiSpan } from '@opentelemetry/api';
import { log } from '../shared/logger';
import type { SqlDialect } from '../sql/normalize';
import { nowMs } from '../tracer/time';
import { ORM_QUERY_KEY, endQuery, startQuery, type OrmQuery } from './db-query';
import type { Kit, Switch } from './kit';
import { recordError } from './record-error';
import type { Instrumentation } from './types';

/** The Prisma majors whose client reads `V<major>_PRISMA_INSTRUMENTATION`. */
const MAJORS = [6, 7];

interface StepOptions {
  name: string;
  attributes?: Record<string, unknown>;
  kind?: number;
  internal?: boolean;
  active?: boolean;
  context?: Context;
}

type Step = (span?: ApiSpan, ctx?: Context) => unknown;

/** The helper interface Prisma's client calls (shared by Prisma 5 to 7). */
export interface PrismaTracingHelper {
  isEnabled(): boolean;
  getTraceParent(ctx?: Context): string;
  dispatchEngineSpans(...args: unknown[]): void;
  getActiveContext(): Context | undefined;
  runInChildSpan(nameOrOptions: string | StepOptions, callback: Step): unknown;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

/** Runs `fn`, then `done(error)` once it returned or settled; the result is passed through untouched. */
function afterwards(fn: () => unknown, done: (error: unknown) => void): unknown {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    done(err);
    throw err;
  }
  if (!isThenable(result)) {
    done(undefined);
    return result;
  }
  return result.then(
    (value) => {
      done(undefined);
      return value;
    },
    (err: unknown) => {
      done(err);
      throw err;
    },
  );
}

function dialectOf(system: string): SqlDialect {
  return system === 'mysql' || system === 'mariadb' ? 'mysql' : 'postgresql';
}

function createHelper(kit: Kit, sw: Switch): PrismaTracingHelper {
  const tracer = kit.tracer;

  /** A span around a whole client operation or transaction. */
  function operation(name: string, attributes: Record<string, string>, parent: Context, callback: Step): unknown {
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
    const ctx = trace.setSpan(parent, span);
    return afterwards(
      () => kit.contexts.run(ctx, () => callback(span, ctx)),
      (error) => {
        try {
          if (error !== undefined) recordError(span, error);
          span.end();
        } catch (e) {
          sw.fail('operation end', e);
        }
      },
    );
  }

  /** A `db_query` step: the driver's span if one saw it, else one from Prisma's attributes. */
  function dbQuery(attributes: Record<string, unknown>, parent: Context, callback: Step): unknown {
    const marker: OrmQuery = { seen: false };
    const startMs = nowMs();
    return afterwards(
      () => kit.contexts.run(parent.setValue(ORM_QUERY_KEY, marker), () => callback()),
      (error) => {
        if (marker.seen) return;
        try {
          const sql = attributes['db.query.text'] ?? attributes['db.statement'];
          const system = typeof attributes['db.system.name'] === 'string' ? attributes['db.system.name'] : typeof attributes['db.system'] === 'string' ? attributes['db.system'] : 'postgresql';
          const call = startQuery(tracer, typeof sql === 'string' ? sql : undefined, { system, dialect: dialectOf(system) }, parent, startMs);
          if (call !== undefined) endQuery(call, error, undefined);
        } catch (e) {
          sw.fail('db_query end', e);
        }
      },
    );
  }

  return {
    isEnabled: () => sw.on && kit.active,
    getTraceParent(ctx?: Context): string {
      const sc = trace.getSpanContext(ctx ?? kit.contexts.active());
      if (sc === undefined) return '00-10-10-00';
      return `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString(16)}`;
    },
    // Engine spans come from Prisma's Rust engine (Prisma 6 without `engineType = "client"`)
    // and from Accelerate; the client engine tracekit supports sends none.
    dispatchEngineSpans(): void {},
    getActiveContext: () => kit.contexts.active(),
    runInChildSpan(nameOrOptions: string | StepOptions, callback: Step): unknown {
      if (!sw.on || !kit.active || typeof callback !== 'function') return callback();
      let options: StepOptions;
      let parent: Context;
      try {
        options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
        parent = options.context ?? kit.contexts.active();
      } catch (err) {
        sw.fail('step start', err);
        return callback();
      }
      const attrs = options.attributes ?? {};
      if (options.name === 'operation') {
        const model = typeof attrs.model === 'string' ? attrs.model : undefined;
        const method = typeof attrs.method === 'string' ? attrs.method : 'unknown';
        const attributes: Record<string, string> = { 'prisma.method': method };
        if (model !== undefined) attributes['prisma.model'] = model;
        return operation(model === undefined ? `prisma ${method}` : `prisma ${model}.${method}`, attributes, parent, callback);
      }
      if (options.name === 'transaction') return operation('prisma $transaction', { 'prisma.method': '$transaction' }, parent, callback);
      if (options.name === 'db_query') return dbQuery(attrs, parent, callback);
      return callback();
    },
  };
}

export const prisma: Instrumentation = {
  name: 'prisma',
  // From 6.16, the first Prisma with the client engine; the Rust engine's queries are not converted.
  supports: [{ library: '@prisma/client', versions: '>=6.16.0 <8', how: "Prisma's tracing helper hook (pg or mysql2 driver adapter, client engine)" }],
  enable(kit: Kit): void {
    const sw = kit.switchFor('prisma');
    const helper = createHelper(kit, sw);
    const g = globalThis as unknown as Record<string, { helper?: unknown } | undefined>;
    for (const major of MAJORS) {
      const key = `V${major}_PRISMA_INSTRUMENTATION`;
      if (g[key]?.helper !== undefined) {
        log.debug(`${key} is already registered (by @prisma/instrumentation?); tracekit leaves Prisma ${major} to it`);
        continue;
      }
      g[key] = { helper };
    }
  },
  // Nothing to patch: these entries only declare the range, so that a Prisma outside it gets
  // the usual debug line when its runtime loads.
  patches: ['runtime/client.js', 'runtime/library.js'].map((file) => ({
    module: '@prisma/client',
    versions: '>=6.16.0 <8',
    file,
    patch(): void {},
  })),
};
