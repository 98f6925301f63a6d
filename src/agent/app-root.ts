/**
 * The app's root: the folder of the nearest package.json above the entry script. Sent as the
 * resource attribute `tracekit.app.root`, so the collector can show files relative to it.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The root folder, or undefined when there is no entry script or no package.json above it. */
export function appRoot(entry: string | undefined = process.argv[1]): string | undefined {
  if (entry === undefined || entry === '') return undefined;
  let dir = dirname(resolve(entry));
  for (;;) {
    if (existsSync(`${dir}/package.json`)) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
