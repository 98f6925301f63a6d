/**
 * The `tracekit` command: `tracekit start` runs the local collector; the rest documents
 * itself and reports its version.
 */
import { VERSION } from '../shared/version';
import { runStart } from './start-command';

const HELP = `tracekit ${VERSION}: application performance monitoring for Node.js

Usage:
  node --import tracekit-node/register app.js     trace an app (ESM or CommonJS), no code change
  NODE_OPTIONS="--import tracekit-node/register"  the same, for containers and process managers
  tracekit start [options]                   run the local collector and dashboard on 127.0.0.1:9876
                                             (tracekit start --help lists its options)
  tracekit --version                         print the version
  tracekit --help                            this text

Configuration is read from TRACEKIT_* and OTEL_* environment variables; see the README.
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
