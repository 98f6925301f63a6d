/**
 * Private keys that more than one file uses (keys used by one instrumentation live in its file).
 * `Symbol.for` is used only where two copies of tracekit in one process must agree
 * (the once-per-process guard); everything else is a plain, unforgeable Symbol.
 */

/** Set on globalThis when an agent has started in this process (shared across copies). */
export const AGENT_STARTED = Symbol.for('tracekit.agent.started');
/** Marks the exporter worker thread and the collector so the preload never starts there. */
export const NO_AGENT_ENV = 'TRACEKIT_INTERNAL_NO_AGENT';

/** Marks a function or prototype we wrapped, so patching is idempotent. */
export const WRAPPED = Symbol.for('tracekit.wrapped');
/** The original function behind one of our wrappers. */
export const ORIGINAL = Symbol.for('tracekit.original');
/** The mount path an express `use()` layer was declared with. */
export const LAYER_PATH = Symbol('tracekit.express.layerPath');
