/**
 * The `tracekit` command: `tracekit start` runs the local collector; the rest documents
 * itself and reports its version.
 */
import { VERSION } from '../shared/version';
import { runStart } from './start-command';

const HELP = `tracekit ${VERSION}: application performance monitoring for Node.js

Usage:
  tracekit start [options]     run the local collector and dashboard on 127.0.0.1:9876
                               (tracekit start --help lists its options)
  tracekit --version           print the version
  tracekit --help              this text

Trace an app with the agent (the tracekit-node package), no code change:
  node --import tracekit-node/register app.js
  NODE_OPTIONS="--import tracekit-node/register" node app.js   (containers)
Its configuration is read from TRACEKIT_* and OTEL_* environment variables; see its README.
`;

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === 'start') return runStart(args.slice(1));
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  process.stderr.write(`tracekit: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  return 2;
}
