// Small data hooks: load something once (and on demand), or keep refreshing it on an interval while the page is
// shown. Each keeps the last good value while a refresh fails, and the error of the last attempt.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  value: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs?: number): Loaded<T> {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; loading: boolean }>({ value: undefined, error: undefined, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => { if (mine === generation.current) setState({ value, error: undefined, loading: false }); },
      (error: unknown) => { if (mine === generation.current) setState((s) => ({ value: s.value, error, loading: false })); },
    );
  }, deps);
  useEffect(() => {
    setState({ value: undefined, error: undefined, loading: true });
    run();
    if (intervalMs === undefined) return () => { generation.current++; };
    const timer = setInterval(run, intervalMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [run, intervalMs]);
  return { ...state, reload: run };
}

/** Collects every page of a paginated List* call. */
export async function allPages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>, max = 20): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < max; i++) {
    const { items, nextToken } = await page(token);
    out.push(...items);
    if (!nextToken) break;
    token = nextToken;
  }
  return out;
}
