/**
 * pino: every record a logger writes becomes a log record, and with TRACEKIT_LOGS_INJECTION
 * the line it writes gains `trace_id` and `span_id` (docs/instrumentation.md, "Logs").
 *
 * The patch is on the loggers' shared prototype (`lib/proto.js`), whose write method every level
 * method of every logger and child calls with (object, formatted message, level number) once
 * the level is enabled; `lib/proto.js` is reached by pino's own `require`, so ES module apps are
 * covered too. pino keeps its keys (message key, error key, a child's bindings) under symbols
 * of its own, found once by their descriptions.
 */
import type { AttributeMap } from '../otlp/types';
import type { Kit, Switch } from './kit';
import { activeIds, addException, addFields, logRecord } from './log-records';
import type { Instrumentation } from './types';
import { wrapMethod } from './wrap';

type PinoWrite = (this: PinoLogger, obj: unknown, msg: unknown, num: number) => unknown;
interface PinoLogger {
  levels?: { labels?: Record<number, string> };
  [key: symbol]: unknown;
}
interface PinoSymbols { messageKey: symbol | undefined; errorKey: symbol | undefined; chindings: symbol | undefined }

/** A symbol on `obj` or its prototypes with this description (pino's are `pino.*`). */
function symbolNamed(obj: object, description: string): symbol | undefined {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    for (const s of Object.getOwnPropertySymbols(o)) if (s.description === description) return s;
  }
  return undefined;
}

/** pino's level numbers (10 trace ... 60 fatal, custom levels between) as OTLP severity numbers. */
function severityOfLevel(num: number): number {
  return num <= 10 ? 1 : num <= 20 ? 5 : num <= 30 ? 9 : num <= 40 ? 13 : num <= 50 ? 17 : 21;
}

/** A child logger's bindings, kept by pino as a JSON fragment (`,"a":1`); parsed once per fragment. */
const bindingsCache = new Map<string, Record<string, unknown>>();
function bindingsOf(fragment: unknown): Record<string, unknown> | undefined {
  if (typeof fragment !== 'string' || fragment.length < 2) return undefined;
  let parsed = bindingsCache.get(fragment);
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(`{${fragment.slice(1)}}`) as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    // pid and hostname are the process's, already in the resource.
    delete parsed.pid;
    delete parsed.hostname;
    if (bindingsCache.size >= 256) bindingsCache.clear();
    bindingsCache.set(fragment, parsed);
  }
  return parsed;
}

/** A level's name in capitals, made once per logger's label (custom levels included). */
const levelTexts = new Map<string, string>();
function levelText(logger: PinoLogger, num: number): string {
  const label = logger.levels?.labels?.[num] ?? String(num);
  let text = levelTexts.get(label);
  if (text === undefined) {
    text = label.toUpperCase();
    if (levelTexts.size < 256) levelTexts.set(label, text);
  }
  return text;
}

function capture(kit: Kit, logger: PinoLogger, syms: PinoSymbols, obj: unknown, msg: unknown, num: number): void {
  const messageKey = syms.messageKey === undefined ? 'msg' : String(logger[syms.messageKey] ?? 'msg');
  const errorKey = syms.errorKey === undefined ? 'err' : String(logger[syms.errorKey] ?? 'err');
  const attributes: AttributeMap = { 'log.source': 'pino' };
  let count = 1;
  if (syms.chindings !== undefined) count = addFields(attributes, bindingsOf(logger[syms.chindings]), undefined, count);
  let body = typeof msg === 'string' ? msg : '';
  if (obj instanceof Error) {
    addException(attributes, obj);
    if (body === '') body = obj.message;
  } else if (obj !== null && typeof obj === 'object') {
    const fields = obj as Record<string, unknown>;
    const err = fields[errorKey];
    if (err instanceof Error) addException(attributes, err);
    addFields(attributes, fields, (key) => key === messageKey || (key === errorKey && err instanceof Error), count);
    if (body === '' && typeof fields[messageKey] === 'string') body = fields[messageKey] as string;
  }
  kit.emitLog(logRecord(kit, severityOfLevel(num), levelText(logger, num), body, attributes));
}

/** The object pino is given, with the active span's ids added; the app's object is never changed. */
function withIds(logger: PinoLogger, syms: PinoSymbols, obj: unknown, ids: { trace_id: string; span_id: string }): unknown {
  if (obj === undefined || obj === null) return { ...ids };
  if (obj instanceof Error) {
    const errorKey = syms.errorKey === undefined ? 'err' : String(logger[syms.errorKey] ?? 'err');
    // pino writes an error as `{ [errorKey]: err }` with its message: the same line, plus the ids.
    return { [errorKey]: obj, ...ids };
  }
  if (typeof obj !== 'object') return obj;
  // A copy with the same prototype: pino serialises with for...in, inherited fields included.
  return Object.assign(Object.create(Object.getPrototypeOf(obj) as object | null) as object, obj, ids);
}

function wrapWrite(kit: Kit, sw: Switch) {
  let syms: PinoSymbols | undefined;
  return (original: PinoWrite): PinoWrite =>
    function write(this: PinoLogger, obj: unknown, msg: unknown, num: number): unknown {
      let out = obj;
      if (sw.on && kit.active) {
        try {
          syms ??= { messageKey: symbolNamed(this, 'pino.messageKey'), errorKey: symbolNamed(this, 'pino.errorKey'), chindings: symbolNamed(this, 'pino.chindings') };
          capture(kit, this, syms, obj, msg, num);
          if (kit.logsInjection) {
            const ids = activeIds(kit);
            if (ids !== undefined) out = withIds(this, syms, obj, ids);
          }
        } catch (err) {
          out = obj;
          sw.fail('pino write', err);
        }
      }
      return original.call(this, out, msg, num);
    };
}

export const pino: Instrumentation = {
  name: 'pino',
  supports: [{ library: 'pino', versions: '>=9.0.0 <11', how: 'the loggers\' write method (`lib/proto.js`)' }],
  patches: [
    {
      module: 'pino',
      versions: '>=9.0.0 <11',
      file: 'lib/proto.js',
      patch(exports, kit) {
        // `lib/proto.js` exports a factory, `() => Object.create(prototype)`: the loggers' shared
        // prototype is the prototype of what it makes (making one has no side effect).
        if (typeof exports !== 'function') throw new Error('pino\'s lib/proto.js does not export a factory');
        const proto = Object.getPrototypeOf((exports as () => object)()) as Record<symbol, PinoWrite>;
        const writeSym = symbolNamed(proto, 'pino.write');
        if (writeSym === undefined) throw new Error('pino\'s prototype has no write method');
        wrapMethod(proto, writeSym, wrapWrite(kit, kit.switchFor('pino')));
        return exports;
      },
    },
  ],
};
