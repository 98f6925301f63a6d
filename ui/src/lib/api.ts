/**
 * The collector's JSON API, from the page's own origin. A collector started with an API key
 * wants it on every call; the user types it once and it stays in this browser's localStorage.
 */
import { load, save } from './storage';

const KEY_STORE = 'tracekit.collectorKey';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function collectorKey(): string | null {
  return load(KEY_STORE);
}

export function setCollectorKey(key: string | null): void {
  save(KEY_STORE, key === '' ? null : key);
}

/** GET /api/<path>?<params>; empty and undefined params are left out. */
export function api<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  return apiQuery<T>(path, qs);
}

/** GET /api/<path>?<qs>, for a query with a repeated parameter. */
export async function apiQuery<T>(path: string, qs: URLSearchParams): Promise<T> {
  const headers: Record<string, string> = {};
  const key = collectorKey();
  if (key !== null) headers['x-api-key'] = key;
  const query = qs.toString();
  const res = await fetch(`/api/${path}${query === '' ? '' : '?' + query}`, { headers, cache: 'no-store' });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (typeof body.error === 'string') message = body.error;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(res.status, message);
  }
  return (await res.json()) as T;
}

/** POST, PATCH or DELETE /api/<path> with a JSON body (the breakpoint API); the answer's JSON. */
export async function apiSend<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const key = collectorKey();
  if (key !== null) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = (parsed as { error?: unknown } | undefined)?.error;
    throw new ApiError(res.status, typeof error === 'string' ? error : `HTTP ${res.status}`);
  }
  return parsed as T;
}
