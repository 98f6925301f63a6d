/**
 * How an instrumentation is declared: data a reader can scan (module, closed version range,
 * file inside the package) plus a thin patch, or a set of diagnostics_channel subscribers
 * for libraries that publish their own events.
 */
import type { InstrumentationName } from '../agent/config';
import type { Kit } from './kit';

/** One patch of one file of one package, applied by the module hooks when it loads. */
export interface ModulePatch {
  /** The package name as required (`express`, `router`, `pg`). */
  module: string;
  /** A closed semver range of the package versions this patch understands, e.g. `>=4.0.0 <5`. */
  versions: string;
  /** A file inside the package (`lib/router/layer.js`); the package's main export when absent. */
  file?: string;
  /**
   * Versions that need no patch because the library publishes diagnostics channels the
   * instrumentation subscribes to (mysql2 >=3.20): skipped without the out-of-range line.
   */
  publishesChannels?: string;
  /** Mutates the loaded exports (or returns a replacement). Must be idempotent. */
  patch(exports: unknown, kit: Kit, version: string): unknown;
}

export interface Instrumentation {
  /** The name used by TRACEKIT_INSTRUMENTATIONS and in log lines. */
  name: InstrumentationName;
  /** Patches applied as modules load. */
  patches?: ModulePatch[];
  /** Called once at start-up for channel subscribers and patches of Node built-ins. */
  enable?(kit: Kit): void;
}
