/**
 * Loads data now and again every `everyMs` (0: once) while the inputs stay the same. The last
 * answer stays on screen while the next one loads, so a refresh never blanks the page; polling
 * pauses while the tab is hidden and two loads never overlap.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** When the last successful answer arrived. */
  updatedMs: number | undefined;
}

export function usePoll<T>(load: () => Promise<T>, inputs: unknown[], everyMs: number): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined, updatedMs: undefined });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (): void => {
      if (!stopped && everyMs > 0) timer = setTimeout(tick, everyMs);
    };
    const tick = async (): Promise<void> => {
      if (document.hidden) {
        schedule();
        return;
      }
      try {
        const data = await load();
        if (!stopped) setState({ data, error: undefined, updatedMs: Date.now() });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)) }));
      }
      schedule();
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, inputs);
  return state;
}
