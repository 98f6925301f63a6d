/**
 * How an instrumentation is declared: data a reader can scan (module, closed version range,
 * file inside the package) plus a thin patch, or a set of diagnostics_channel subscribers
 * for libraries that publish their own events.
 */
import type { Kit } from './kit';

/** An instrumentation's name, as TRACEKIT_INSTRUMENTATIONS lists it (`http`, `express`, ...). */
export type InstrumentationName = string;

/** One patch of one file of one package, applied by the module hooks when it loads. */
export interface ModulePatch {
  /** The package name as required (`express`, `router`, `pg`). */
  module: string;
  /** A closed semver range of the package versions this patch understands, e.g. `>=4.0.0 <5`. */
  versions: string;
  /** A file inside the package (`lib/router/layer.js`); the package's main export when absent. */
  file?: string;
  /** Mutates the loaded exports (or returns a replacement). Must be idempotent. */
  patch(exports: unknown, kit: Kit, version: string): unknown;
}

/**
 * A library an instrumentation supports, as users see it: the README's table of supported
 * versions, the list of libraries the agent watches, and the versions the tests install are
 * all made from these (a test checks every patch falls inside one).
 */
export interface SupportedLibrary {
  /** The npm package name, or a Node built-in (`node:http`). */
  library: string;
  /** A closed semver range, e.g. `>=4.6.0 <5`; absent for built-ins. */
  versions?: string;
  /** How it is observed, in a few words. */
  how: string;
}

export interface Instrumentation {
  /** The name used by TRACEKIT_INSTRUMENTATIONS and in log lines. */
  name: InstrumentationName;
  /** What it supports (see SupportedLibrary). */
  supports: SupportedLibrary[];
  /** Patches applied as modules load. */
  patches?: ModulePatch[];
  /** Called once at start-up for channel subscribers and patches of Node built-ins. */
  enable?(kit: Kit): void;
}
