/**
 * AI assist: a route's numbers become a JSON snapshot, the snapshot a prompt, and the prompt
 * goes from this browser straight to the provider the user chose, with the user's key. The
 * key stays in localStorage; the collector never sees it or the answer.
 */
import type { ErrorGroup, Graph, InventoryRoute, OutgoingHost, RouteStats } from './types';
import { load, save } from './storage';

export type Provider = 'anthropic' | 'openai';

export interface AssistSettings {
  provider: Provider;
  apiKey: string;
  model: string;
  /** Empty for the provider's own API; else an OpenAI- or Anthropic-compatible base URL. */
  baseUrl: string;
}

const STORE = 'tracekit.assist';

export const DEFAULT_MODELS: Record<Provider, string> = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-5-mini' };
export const DEFAULT_BASES: Record<Provider, string> = { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com' };

export function loadAssistSettings(): AssistSettings | null {
  const raw = load(STORE);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<AssistSettings>;
    if ((v.provider !== 'anthropic' && v.provider !== 'openai') || typeof v.apiKey !== 'string' || v.apiKey === '') return null;
    return { provider: v.provider, apiKey: v.apiKey, model: typeof v.model === 'string' ? v.model : '', baseUrl: typeof v.baseUrl === 'string' ? v.baseUrl : '' };
  } catch {
    return null;
  }
}

export function saveAssistSettings(s: AssistSettings | null): void {
  save(STORE, s === null ? null : JSON.stringify(s));
}

export interface RouteSnapshot {
  service: string;
  route: string;
  window: string;
  traffic: { requests: number; ratePerSecond: number; errors: number; errorPercent: number };
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  database: { queriesPerRequest: number | null; msPerRequest: number | null; nPlusOneRequests: number; repeatedQuery: string | null };
  outgoing: { callsPerRequest: number | null; hosts: { host: string; calls: number; errorPercent: number; p95Ms: number | null }[] };
  errors: { type: string; message: string; count: number; stackTop: string }[];
}

/** The numbers the prompt is built from, all from what the dashboard already shows. */
export function routeSnapshot(r: RouteStats, window: string, errors: ErrorGroup[], graph: Graph, outgoing: OutgoingHost[]): RouteSnapshot {
  const key = `${r.method ?? ''} ${r.route}`.trim();
  const hosts = graph.routeToHost
    .filter((e) => e.service === r.service && e.route === key)
    .map((e) => ({ host: e.host, calls: e.calls, errorPercent: e.errorPct, p95Ms: outgoing.find((o) => o.service === r.service && o.host === e.host)?.p95Ms ?? null }));
  return {
    service: r.service,
    route: key,
    window,
    traffic: { requests: r.requests, ratePerSecond: r.rate, errors: r.errors, errorPercent: r.errorPct },
    latencyMs: { p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms, max: r.maxMs },
    database: { queriesPerRequest: r.dbQueriesPerRequest, msPerRequest: r.dbMsPerRequest, nPlusOneRequests: r.nPlusOneRequests, repeatedQuery: r.nPlusOneTemplate },
    outgoing: { callsPerRequest: r.outgoingPerRequest, hosts },
    errors: errors
      .filter((g) => g.service === r.service && g.routes.includes(r.route))
      .slice(0, 5)
      .map((g) => ({ type: g.type, message: g.message, count: g.count, stackTop: g.stack.split('\n').slice(0, 6).join('\n') })),
  };
}

export function buildPrompt(s: RouteSnapshot): string {
  return [
    `You are helping a Node.js backend developer understand one HTTP route of the service "${s.service}".`,
    `Below are the measurements tracekit (an APM agent) recorded for ${s.route} over the last ${s.window}, as JSON.`,
    'Answer in three short sections: 1) the most likely root causes of its latency and errors, citing the numbers;',
    '2) concrete mitigations, most valuable first (for a repeated query, show how to batch it);',
    '3) what to measure next to confirm. Say so when the numbers look healthy.',
    '',
    JSON.stringify(s, null, 2),
  ].join('\n');
}

/** A folder's routes as the Code view shows them: what `analyze` on a folder sends. */
export interface FolderSnapshot {
  service: string;
  folder: string;
  window: string;
  routes: { route: string; declaredAt: string; handler: string; requests: number; ratePerSecond: number; errorPercent: number; p95Ms: number | null; neverHit: boolean }[];
}

/** The snapshot of a folder's routes (at most 200, busiest first). */
export function folderSnapshot(service: string, folder: string, window: string, routes: InventoryRoute[]): FolderSnapshot {
  return {
    service,
    folder: folder === '' ? '(the whole project)' : folder,
    window,
    routes: [...routes]
      .sort((a, b) => b.requests - a.requests)
      .slice(0, 200)
      .map((r) => ({ route: `${r.method} ${r.route}`, declaredAt: `${r.file}:${r.line}`, handler: r.function, requests: r.requests, ratePerSecond: r.rate, errorPercent: r.errorPct, p95Ms: r.p95Ms, neverHit: r.neverHit })),
  };
}

export function buildFolderPrompt(s: FolderSnapshot): string {
  return [
    `You are helping a Node.js backend developer review the HTTP routes declared in ${s.folder} of the service "${s.service || 'all services'}".`,
    `Below is each route with where it is declared and what tracekit (an APM agent) measured over the last ${s.window}, as JSON.`,
    'Answer in three short sections: 1) the routes that need attention and why, citing the numbers;',
    '2) routes never requested in the window that may be dead code or untested, and how to check;',
    '3) what to look at next. Say so when the numbers look healthy.',
    '',
    JSON.stringify(s, null, 2),
  ].join('\n');
}

function endpoint(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** Sends the prompt to the configured provider and returns the answer's text. */
export async function askProvider(settings: AssistSettings, prompt: string, signal?: AbortSignal): Promise<string> {
  const base = settings.baseUrl.trim() === '' ? DEFAULT_BASES[settings.provider] : settings.baseUrl.trim();
  const model = settings.model.trim() === '' ? DEFAULT_MODELS[settings.provider] : settings.model.trim();
  let res: Response;
  if (settings.provider === 'anthropic') {
    res = await fetch(endpoint(base, '/v1/messages'), {
      method: 'POST',
      signal,
      headers: {
        'content-type': 'application/json',
        'x-api-key': settings.apiKey,
        'anthropic-version': '2023-06-01',
        // Anthropic refuses browser calls unless the caller says it knows the key is exposed to the page.
        'anthropic-dangerous-direct-browser-access': 'true',
      },
      body: JSON.stringify({ model, max_tokens: 1500, messages: [{ role: 'user', content: prompt }] }),
    });
  } else {
    res = await fetch(endpoint(base, '/v1/chat/completions'), {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.apiKey}` },
      // max_completion_tokens works for reasoning models (o-series, gpt-5) and the older chat models alike.
      body: JSON.stringify({ model, max_completion_tokens: 4000, messages: [{ role: 'user', content: prompt }] }),
    });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`the provider answered HTTP ${res.status} with a body that is not JSON`);
  }
  if (!res.ok) {
    const err = (body as { error?: { message?: string } }).error;
    throw new Error(`the provider answered HTTP ${res.status}${err?.message ? `: ${err.message}` : ''}`);
  }
  if (settings.provider === 'anthropic') {
    const content = (body as { content?: { type: string; text?: string }[] }).content ?? [];
    return content.filter((c) => c.type === 'text').map((c) => c.text ?? '').join('\n').trim();
  }
  const choices = (body as { choices?: { message?: { content?: string } }[] }).choices ?? [];
  return (choices[0]?.message?.content ?? '').trim();
}
