/** Small hooks the views share. */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore, Store } from './store.js';

/** The store's data, re-read whenever it changes. */
export function useStore(store: DashboardStore): Store {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion(store.data.version)), [store]);
  return store.data;
}

/** The current time, every second (elapsed times tick without events). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** JSON from the API (re-fetched when `key` changes). */
export function useApi<T>(url: string | undefined, key: unknown): { value: T | undefined; error: string | undefined } {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!url) return;
    let live = true;
    fetch(url, { credentials: 'same-origin' })
      .then(async (response) => {
        const body = (await response.json()) as T & { error?: string };
        if (!live) return;
        if (response.ok) {
          setValue(body);
          setError(undefined);
        } else setError(body.error ?? `the server answered ${response.status}`);
      })
      .catch((reason: unknown) => live && setError(String(reason)));
    return () => {
      live = false;
    };
  }, [url, key]);
  return { value, error };
}
