/**
 * console: `log`, `info`, `debug`, `warn` and `error` become log records (docs/instrumentation.md,
 * "Logs"). The app's call runs first and unchanged (same arguments, same `this`, same return);
 * the record's body is what console printed, formatted again with `util.format` (console's own
 * formatting), so it is built only after the app's output is written.
 */
import { format } from 'node:util';
import type { Kit } from './kit';
import { logRecord, severityOf } from './log-records';
import type { Instrumentation } from './types';
import { wrapMethod } from './wrap';

const METHODS = ['log', 'info', 'debug', 'warn', 'error'] as const;
type ConsoleMethod = (typeof METHODS)[number];

export const consoleLogs: Instrumentation = {
  name: 'console',
  supports: [{ library: 'node:console', how: '`log`, `info`, `debug`, `warn`, `error` of the global console' }],
  enable(kit: Kit): void {
    const sw = kit.switchFor('console');
    for (const method of METHODS) {
      const severityNumber = severityOf(method);
      const severityText = method === 'log' ? 'INFO' : method.toUpperCase();
      wrapMethod(console as unknown as Record<ConsoleMethod, (...args: unknown[]) => void>, method, (original) =>
        function (this: unknown, ...args: unknown[]): void {
          (original as (...a: unknown[]) => void).apply(this, args);
          if (!sw.on || !kit.active) return;
          try {
            kit.emitLog(logRecord(kit, severityNumber, severityText, format(...args), { 'log.source': 'console' }));
          } catch (err) {
            sw.fail(`console.${method}`, err);
          }
        },
      );
    }
  },
};
