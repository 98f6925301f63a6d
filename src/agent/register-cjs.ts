/**
 * `node --require tracekit-node/register app.js`: CommonJS hooks only. The CommonJS libraries an
 * ESM app uses are still instrumented (their files load through require); the warning says
 * how to get the ESM loader path too.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { log } from '../shared/logger';
import { startAgent } from './start';

/** True when the entry script is an ES module (.mjs, or .js under "type": "module"). */
function entryIsEsm(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  if (entry.endsWith('.mjs')) return true;
  if (entry.endsWith('.cjs')) return false;
  let dir = dirname(entry);
  for (let i = 0; i < 8; i++) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type === 'module';
    } catch {
      const up = dirname(dir);
      if (up === dir) return false;
      dir = up;
    }
  }
  return false;
}

const agent = startAgent(undefined, 'require');
if (agent !== undefined && entryIsEsm()) {
  log.once('warn', 'require-esm', 'loaded with --require: ES module imports are not hooked this way; use node --import tracekit-node/register to cover them');
}
