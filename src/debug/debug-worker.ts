/**
 * The debug worker (docs/debugging.md): polls the collector for the service's breakpoints,
 * hands the `captureSnapshot` ones to the app's thread, and runs the file:line ones through an
 * inspector session on the app's thread. Started by code-monitor.ts with
 * TRACEKIT_CODE_MONITORING=true; nothing of the agent's instrumentation runs here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CollectorSync } from './collector-sync';
import { LineBreakpoints } from './line-breakpoints';
import type { DebugWorkerData, FromDebugWorker, ToDebugWorker } from './protocol';

const data = workerData as DebugWorkerData;
const port = parentPort;

function send(m: FromDebugWorker): void {
  port?.postMessage(m);
}

const log = (level: 'warn' | 'info' | 'debug', key: string, message: string): void => send({ type: 'log', level, key, message });

let lines: LineBreakpoints | undefined;
// Updates are applied one after another: an update opens or closes the inspector session.
let applying: Promise<void> = Promise.resolve();

const sync = new CollectorSync(data, {
  onBreakpoints(list) {
    send({ type: 'snapshot-sites', breakpoints: list.filter((b) => b.kind === 'snapshot') });
    const fileLine = list.filter((b) => b.kind !== 'snapshot');
    applying = applying.then(() => {
      if (fileLine.length === 0 && lines === undefined) return;
      lines ??= new LineBreakpoints(data.appRoot, data.inspectorFlag, {
        onState: (s) => sync.setState(s),
        onDropped: (id) => sync.dropState(id),
        onSnapshot: (record) => send({ type: 'snapshot', record }),
        onLog: log,
      });
      return lines.update(fileLine);
    }).catch((err: unknown) => log('warn', 'update', `live debugging: could not apply breakpoints (${String(err)})`));
  },
  onLog: log,
});

port?.on('message', (m: ToDebugWorker) => {
  if (m.type === 'site') sync.addSite(m.site);
  else if (m.type === 'line-capture-taken') void lines?.captureTaken(m.id);
  else if (m.type === 'line-capture') void lines?.captured(m.capture);
  else if (m.type === 'line-capture-failed') void lines?.captureFailed(m.id, m.message);
});

void sync.loop();
