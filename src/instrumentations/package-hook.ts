/**
 * Patches libraries that do not sit at `node_modules/<name>/`: a workspace package reached
 * through its symlink's real path, a vendored copy, a Plug'n'Play-style store that resolves
 * packages to folders of its own. require-in-the-middle names a package only from that path
 * layout and passes such files by; here a file is named by the nearest package.json above it
 * that has a `name` (docs/instrumentation.md, "How libraries are recognised").
 *
 * The hook wraps `Module.prototype._compile`, which runs once per CommonJS file however it was
 * reached (require, or import of a CommonJS file from ESM), so a cached require costs nothing.
 * Files under a `node_modules` folder are left to require-in-the-middle, so nothing is
 * patched twice.
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { log } from '../shared/logger';

/** The package a file belongs to: its package.json name, version and folder. */
export interface PackageOf {
  name: string;
  version: string | undefined;
  root: string;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
}

const byDir = new Map<string, PackageOf | null>();

/** The nearest package.json with a name at or above `dir` (cached per folder). */
export function packageAt(dir: string): PackageOf | undefined {
  const seen: string[] = [];
  let found: PackageOf | null | undefined;
  for (let d = dir; found === undefined; ) {
    const cached = byDir.get(d);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    seen.push(d);
    let pkg: PackageJson | undefined;
    try {
      pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as PackageJson;
    } catch {
      pkg = undefined;
    }
    // A package.json without a name (`{"type": "module"}` in a sub-folder) names nothing.
    if (pkg !== undefined && typeof pkg.name === 'string' && pkg.name !== '') {
      found = { name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : undefined, root: d };
      break;
    }
    const parent = dirname(d);
    if (parent === d) found = null;
    else d = parent;
  }
  for (const d of seen) byDir.set(d, found);
  return found ?? undefined;
}

/** Where a package's main file is, for telling the main export from an internal file. */
const mains = new Map<string, string | null>();

function mainOf(root: string): string | null {
  let main = mains.get(root);
  if (main === undefined) {
    try {
      main = require.resolve(root);
    } catch {
      main = null;
    }
    mains.set(root, main);
  }
  return main;
}

/** The name require-in-the-middle would give the file: `pkg` for the main file, `pkg/lib/x.js` inside. */
export function moduleNameOf(filename: string, pkg: PackageOf): string {
  if (filename === mainOf(pkg.root)) return pkg.name;
  return `${pkg.name}/${relative(pkg.root, filename).split(sep).join('/')}`;
}

interface CompilingModule {
  exports: unknown;
}
type Compile = (this: CompilingModule, content: string, filename: string, ...rest: unknown[]) => unknown;

/**
 * Installs the hook for packages named in `modules`; `apply` returns the (possibly replaced)
 * exports, as require-in-the-middle's callback does. Returns a function that removes it.
 */
export function installPackageHook(modules: string[], apply: (exports: unknown, name: string, basedir: string) => unknown): () => void {
  const wanted = new Set(modules);
  // Module.prototype._compile is Node's own, untyped in @types/node.
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const marker = `${sep}node_modules${sep}`;
  const compile: Compile = function (this: CompilingModule, content, filename, ...rest) {
    const result = original.call(this, content, filename, ...rest);
    if (typeof filename !== 'string' || filename.includes(marker)) return result;
    try {
      const pkg = packageAt(dirname(filename));
      if (pkg !== undefined && wanted.has(pkg.name)) {
        this.exports = apply(this.exports, moduleNameOf(filename, pkg), pkg.root);
      }
    } catch (err) {
      log.once('debug', 'package-hook', `could not identify the package of ${filename}: ${String(err)}`);
    }
    return result;
  };
  proto._compile = compile;
  return () => {
    if (proto._compile === compile) proto._compile = original;
  };
}
