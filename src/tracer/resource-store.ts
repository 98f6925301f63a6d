/**
 * Takes tracekit's context off one async resource, such as a timer that outlives the request it
 * was armed in (docs/agent.md, "Idle connections"). Only tracekit's own store is removed: another
 * AsyncLocalStorage's value on the same resource stays as it was.
 *
 * Where the store lives depends on how AsyncLocalStorage is built:
 * - on async hooks (Node 20 and 22), each storage keeps its value on the resource under its own
 *   symbol, `kResourceStore`, which the storage instance carries;
 * - on AsyncContextFrame (Node 24), the resource keeps one frame, a Map from each storage to its
 *   value, under an internal symbol. A frame is shared and must not change, so it is dropped only
 *   when tracekit's storage is all it holds (a resource without a frame runs in the empty one).
 *
 * Both are Node internals, found by their descriptions; when they are not found nothing is done.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';

const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get;
const mapHas = Map.prototype.has;
/** The resource property that holds its AsyncContextFrame: undefined until looked for, null if there is none. */
let frameKey: symbol | null | undefined;

/**
 * A function that removes `storage`'s value from an async resource, so code the resource runs
 * later no longer sees it and the value can be collected. Which of the two layouts applies is
 * worked out once, here.
 */
export function storeDropper(storage: AsyncLocalStorage<unknown>): (resource: object) => void {
  const own: unknown = Reflect.get(storage, 'kResourceStore');
  if (typeof own === 'symbol') {
    return (resource) => {
      if (Reflect.get(resource, own) !== undefined) Reflect.set(resource, own, undefined);
    };
  }
  const size = mapSize;
  if (size === undefined) return () => undefined;
  return (resource) => {
    if (frameKey === undefined) frameKey = Object.getOwnPropertySymbols(resource).find((s) => s.description === 'kAsyncContextFrame') ?? null;
    if (frameKey === null) return;
    const frame: unknown = Reflect.get(resource, frameKey);
    // Node's frames come from its primordials (SafeMap), so Map's own methods are called on them.
    if (typeof frame === 'object' && frame !== null && size.call(frame) === 1 && mapHas.call(frame, storage)) Reflect.set(resource, frameKey, undefined);
  };
}
