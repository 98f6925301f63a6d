import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function read(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** tracekit's own version, from its package.json. */
export const VERSION = read();
