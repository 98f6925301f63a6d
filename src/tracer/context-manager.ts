/**
 * The active OpenTelemetry Context lives in one AsyncLocalStorage. `with` uses `run`, so a
 * context never leaks past the callback that entered it; async continuations created inside
 * carry it along, which is how a database query finds the request that issued it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, ContextManager } from '@opentelemetry/api';
import { EMPTY_CONTEXT } from './context';
import { storeDropper } from './resource-store';

export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  private readonly dropStore = storeDropper(this.storage);

  active(): Context {
    return this.storage.getStore() ?? EMPTY_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const cb = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.storage.run(context, cb, ...args);
  }

  /** Runs `fn` with `context` active: `with` without the arguments the API's form allows. */
  run<T>(context: Context, fn: () => T): T {
    return this.storage.run(context, fn);
  }

  /** Takes the context off an async resource that outlives the code that armed it (see resource-store.ts). */
  dropFrom(resource: object): void {
    this.dropStore(resource);
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]): unknown {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length });
    return bound as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}
