/**
 * Applies declared module patches as packages load. CommonJS loads are seen by
 * require-in-the-middle (including a package's internal files, `internals: true`), which also
 * covers CommonJS packages imported from ESM: their internal `require` calls go through the
 * same loader. No ESM loader is registered: none of the instrumented libraries ships ES
 * modules (docs/instrumentation.md, "ES modules"). Files outside `node_modules/<name>/` are
 * found by package-hook.ts.
 *
 * Each patch runs only when the installed version satisfies its closed range; otherwise one
 * debug line says why the package is left alone. A patch that throws leaves the module as it
 * was and switches its instrumentation off.
 */
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Hook as RequireHook } from 'require-in-the-middle';
import { log } from '../shared/logger';
import type { Kit } from './kit';
import { installPackageHook } from './package-hook';
import type { Instrumentation, ModulePatch } from './types';
import { satisfies } from './version-range';

interface Entry {
  instrumentation: string;
  patch: ModulePatch;
}

const versions = new Map<string, string | undefined>();

function packageVersion(basedir: string): string | undefined {
  if (versions.has(basedir)) return versions.get(basedir);
  let version: string | undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(basedir, 'package.json'), 'utf8')) as { version?: unknown };
    version = typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    version = undefined;
  }
  versions.set(basedir, version);
  return version;
}

/** `express/lib/router/layer.js` → `{ module: 'express', file: 'lib/router/layer.js' }`. */
function splitName(name: string): { module: string; file: string | undefined } {
  const parts = name.split(sep === '\\' ? /[\\/]/ : '/');
  const count = parts[0].startsWith('@') ? 2 : 1;
  const file = parts.slice(count).join('/');
  return { module: parts.slice(0, count).join('/'), file: file === '' ? undefined : file };
}

/** Returns the patched exports of one loaded module file. */
function applyPatches(entries: Entry[], kit: Kit, exports: unknown, name: string, basedir: string | undefined): unknown {
  const { module, file } = splitName(name);
  let result = exports;
  for (const { instrumentation, patch } of entries) {
    if (patch.module !== module || patch.file !== file) continue;
    const sw = kit.switchFor(instrumentation);
    if (!sw.on) continue;
    const version = basedir === undefined ? undefined : packageVersion(basedir);
    if (version === undefined || !satisfies(version, patch.versions)) {
      log.once('debug', `unsupported:${module}@${version}`, `${module}@${version ?? 'unknown'} is outside the supported range ${patch.versions}; ${instrumentation} leaves it unpatched`);
      continue;
    }
    try {
      const replaced = patch.patch(result, kit, version);
      if (replaced !== undefined) result = replaced;
      log.debug(`patched ${module}@${version}${file ? `/${file}` : ''} for ${instrumentation}`);
    } catch (err) {
      sw.fail(`patching ${module}@${version}`, err);
    }
  }
  return result;
}

/** Every module patch of the enabled instrumentations, with the instrumentation it belongs to. */
export function patchEntries(instrumentations: Instrumentation[]): Entry[] {
  const entries: Entry[] = [];
  for (const instr of instrumentations) for (const patch of instr.patches ?? []) entries.push({ instrumentation: instr.name, patch });
  return entries;
}

/**
 * Installs the module hooks for the given instrumentations: require-in-the-middle for packages
 * under `node_modules/<name>/`, and the package.json-name hook (package-hook.ts) for the
 * rest. Returns a function that removes both.
 */
export function installRequireHook(instrumentations: Instrumentation[], kit: Kit): (() => void) | undefined {
  const entries = patchEntries(instrumentations);
  const modules = [...new Set(entries.map((e) => e.patch.module))];
  if (modules.length === 0) return undefined;
  const hook = new RequireHook(modules, { internals: true }, (exports, name, basedir) => applyPatches(entries, kit, exports, name, basedir) as typeof exports);
  const removePackageHook = installPackageHook(modules, (exports, name, basedir) => applyPatches(entries, kit, exports, name, basedir));
  return () => {
    hook.unhook();
    removePackageHook();
  };
}
