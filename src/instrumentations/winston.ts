/**
 * winston: every entry a logger passes to its transports becomes a log record, and with
 * TRACEKIT_LOGS_INJECTION the entry gains `trace_id` and `span_id` before the logger's format
 * runs, so every transport writes them (docs/instrumentation.md, "Logs").
 *
 * The patch is `Logger.prototype._transform` (`lib/winston/logger.js`, reached by winston's own
 * `require`), which every entry of every logger and child goes through. An entry no transport
 * would write (its level is off everywhere) is not recorded, as the app does not print it.
 */
import type { AttributeMap } from '../otlp/types';
import type { Kit, Switch } from './kit';
import { activeIds, addException, addFields, logRecord, severityOf } from './log-records';
import type { Instrumentation } from './types';
import { wrapMethod } from './wrap';

/** triple-beam's key for an entry's level (`Symbol.for`, shared by every copy of winston). */
const LEVEL = Symbol.for('level');

interface WinstonLogger {
  silent?: boolean;
  isLevelEnabled?: (level: string) => boolean;
}
type Entry = Record<string | symbol, unknown>;
type Transform = (this: WinstonLogger, info: Entry, enc: unknown, callback: unknown) => unknown;

const SKIP = new Set(['level', 'message', 'stack']);

function capture(kit: Kit, info: Entry, level: string): void {
  const attributes: AttributeMap = { 'log.source': 'winston' };
  const message = info.message;
  if (message instanceof Error) addException(attributes, message);
  else if (typeof info.stack === 'string') attributes['exception.stacktrace'] = info.stack;
  addFields(attributes, info, (key) => SKIP.has(key), Object.keys(attributes).length);
  const body = typeof message === 'string' ? message : message instanceof Error ? message.message : message === undefined ? '' : JSON.stringify(message) ?? '';
  kit.emitLog(logRecord(kit, severityOf(level), level.toUpperCase(), body, attributes));
}

function wrapTransform(kit: Kit, sw: Switch) {
  return (original: Transform): Transform =>
    function _transform(this: WinstonLogger, info: Entry, enc: unknown, callback: unknown): unknown {
      if (sw.on && kit.active && this.silent !== true && info !== null && typeof info === 'object') {
        try {
          const level = String(info[LEVEL] ?? info.level ?? 'info');
          if (typeof this.isLevelEnabled !== 'function' || this.isLevelEnabled(level)) {
            capture(kit, info, level);
            if (kit.logsInjection) {
              const ids = activeIds(kit);
              if (ids !== undefined) {
                info.trace_id = ids.trace_id;
                info.span_id = ids.span_id;
              }
            }
          }
        } catch (err) {
          sw.fail('winston entry', err);
        }
      }
      return original.call(this, info, enc, callback);
    };
}

export const winston: Instrumentation = {
  name: 'winston',
  supports: [{ library: 'winston', versions: '>=3.8.0 <4', how: '`Logger.prototype._transform` (`lib/winston/logger.js`)' }],
  patches: [
    {
      module: 'winston',
      versions: '>=3.8.0 <4',
      file: 'lib/winston/logger.js',
      patch(exports, kit) {
        const proto = (exports as { prototype?: Record<string, Transform> }).prototype;
        if (proto === undefined) throw new Error('winston\'s Logger has no prototype');
        wrapMethod(proto, '_transform', wrapTransform(kit, kit.switchFor('winston')));
        return exports;
      },
    },
  ],
};
