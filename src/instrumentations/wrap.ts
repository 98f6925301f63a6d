import { ORIGINAL, WRAPPED } from '../symbols';

type AnyFunction = (...args: never[]) => unknown;

/**
 * Replaces `target[name]` with `wrapper(original)`, once: a second call on an already wrapped
 * method does nothing, so loading a module twice (or two copies of an instrumentation) never
 * stacks wrappers. Returns false when there was nothing to wrap.
 */
export function wrapMethod<T extends object, K extends keyof T>(
  target: T,
  name: K,
  wrapper: (original: T[K] & AnyFunction) => T[K],
): boolean {
  const original = target[name] as unknown;
  if (typeof original !== 'function') return false;
  if ((original as unknown as Record<symbol, unknown>)[WRAPPED]) return true;
  const wrapped = wrapper(original as T[K] & AnyFunction) as unknown as Record<string | symbol, unknown>;
  wrapped[WRAPPED] = true;
  wrapped[ORIGINAL] = original;
  // Keep what reflection sees (name, length) as it was.
  Object.defineProperty(wrapped, 'name', { value: (original as AnyFunction).name, configurable: true });
  Object.defineProperty(wrapped, 'length', { value: (original as AnyFunction).length, configurable: true });
  target[name] = wrapped as unknown as T[K];
  return true;
}
