/**
 * The app's root: the folder of the nearest package.json above the entry script. Sent as the
 * resource attribute `tracekit.app.root`, so the collector can show files relative to it.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const found = new Map<string, string | undefined>();

/** The root folder, or undefined when there is no entry script or no package.json above it (looked up once per entry). */
export function appRoot(entry: string | undefined = process.argv[1]): string | undefined {
  if (entry === undefined || entry === '') return undefined;
  if (found.has(entry)) return found.get(entry);
  const root = lookUp(entry);
  found.set(entry, root);
  return root;
}

function lookUp(entry: string): string | undefined {
  let dir = dirname(resolve(entry));
  for (;;) {
    if (existsSync(`${dir}/package.json`)) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
