/**
 * Live debugging through the collector's real API, as the dashboard does it: breakpoints,
 * their states, and the snapshots that arrive.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, type CollectorProcess } from './collector';
import type { ValueNode } from '../../dist/debug/value-tree';
import { FIXTURES } from './app';

/** The snapshot value tree, as the agent writes it. */
export type { ValueNode };

export interface InstanceState { instance: string; state: string; line?: number; message?: string; hits: number }

export interface Breakpoint {
  id: string;
  service: string;
  kind: string;
  label?: string;
  function?: string;
  file: string;
  line: number;
  enabled: boolean;
  status: string;
  snapshots: number;
  instances: InstanceState[];
}

export interface SnapshotSummary { id: string; breakpointId: string; traceId: string | null; spanId: string | null; label: string | null; file: string; line: number; function: string; timeMs: number }

export interface SnapshotBody {
  kind: string;
  label?: string;
  file: string;
  line: number;
  function: string;
  variables: [string, ValueNode][];
  stack: { function: string; file: string; line: number; column: number }[];
  request?: { method: string; route?: string; url?: string; headers: Record<string, string> };
  sinceRequestMs?: number;
  cut: string[];
  pauseMs?: number;
  heldMs?: number;
}

/** The 1-based line of `// @bp <name>` in a fixture file. */
export function lineOf(relativeFile: string, name: string): number {
  const lines = readFileSync(join(FIXTURES, relativeFile), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// @bp ${name}`));
  if (i === -1) throw new Error(`no @bp ${name} in ${relativeFile}`);
  return i + 1;
}

async function call<T>(col: CollectorProcess, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${col.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function createBreakpoint(col: CollectorProcess, body: Record<string, unknown>): Promise<Breakpoint> {
  const r = await call<Breakpoint>(col, 'POST', '/api/debug/breakpoints', body);
  if (r.status !== 201) throw new Error(`create breakpoint: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function patchBreakpoint(col: CollectorProcess, id: string, body: Record<string, unknown>): Promise<Breakpoint> {
  const r = await call<Breakpoint>(col, 'PATCH', `/api/debug/breakpoints/${id}`, body);
  if (r.status !== 200) throw new Error(`patch breakpoint: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function deleteBreakpoint(col: CollectorProcess, id: string): Promise<number> {
  return (await call(col, 'DELETE', `/api/debug/breakpoints/${id}`)).status;
}

export async function breakpoints(col: CollectorProcess, service: string): Promise<Breakpoint[]> {
  return (await col.api<{ breakpoints: Breakpoint[] }>(`debug/breakpoints?service=${encodeURIComponent(service)}`)).breakpoints;
}

export async function snapshots(col: CollectorProcess, query: string): Promise<SnapshotSummary[]> {
  return col.api<SnapshotSummary[]>(`debug/snapshots?${query}`);
}

export async function snapshotBody(col: CollectorProcess, id: string): Promise<SnapshotBody> {
  return (await col.api<{ body: SnapshotBody }>(`debug/snapshots/${id}`)).body;
}

/** Waits until a breakpoint of the service matches `pick`. */
export function waitForBreakpoint(col: CollectorProcess, service: string, what: string, pick: (b: Breakpoint) => boolean, timeoutMs = 15000): Promise<Breakpoint> {
  return eventually(async () => (await breakpoints(col, service)).find(pick), what, timeoutMs);
}

/** Waits until a breakpoint's state in some process is `state`. */
export function waitForState(col: CollectorProcess, service: string, id: string, state: string, timeoutMs = 15000): Promise<InstanceState> {
  return eventually(async () => (await breakpoints(col, service)).find((b) => b.id === id)?.instances.find((s) => s.state === state), `breakpoint ${id} ${state}`, timeoutMs);
}

/** Waits until at least `n` snapshots of a breakpoint are stored. */
export function waitForSnapshots(col: CollectorProcess, id: string, n = 1, timeoutMs = 15000): Promise<SnapshotSummary[]> {
  return eventually(async () => {
    const list = await snapshots(col, `breakpoint=${id}`);
    return list.length >= n ? list : undefined;
  }, `${n} snapshot(s) of ${id}`, timeoutMs);
}

/** A variable (or a path of entry names) in a captured tree. */
export function valueAt(vars: [string, ValueNode][], ...path: string[]): ValueNode | undefined {
  let entries: [string, ValueNode][] | undefined = vars;
  let node: ValueNode | undefined;
  for (const name of path) {
    node = entries?.find(([n]) => n === name)?.[1];
    if (node === undefined) return undefined;
    entries = node.entries;
  }
  return node;
}
