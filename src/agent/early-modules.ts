/**
 * A library loaded before the agent started cannot be patched any more. Say so once, by
 * name, rather than leave the user wondering why its spans are missing.
 */
import { PATCHED_PACKAGES } from '../instrumentations/registry';
import { log } from '../shared/logger';


/** How the agent was started: the preload's import or require entry, or `tracekit.init()`. */
export type StartedVia = 'import' | 'require' | 'init';

/** Warns once per instrumented package already present in the require cache. */
export function warnAboutEarlyModules(via: StartedVia): void {
  const seen = new Set<string>();
  for (const file of Object.keys(require.cache)) {
    const i = file.lastIndexOf('/node_modules/');
    if (i === -1) continue;
    const rest = file.slice(i + '/node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (PATCHED_PACKAGES.includes(name)) seen.add(name);
  }
  // `router` is express 5's own router and `pg-pool` pg's pool: name them only when used alone.
  if (seen.has('express')) seen.delete('router');
  if (seen.has('pg')) seen.delete('pg-pool');
  for (const name of seen) {
    log.warn(
      `${name} was loaded before tracekit started (${via}), so it is not instrumented; ` +
        'start tracekit first: node --import tracekit-node/register app.js',
    );
  }
}
