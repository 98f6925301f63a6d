/**
 * `/api/debug/*`: live debugging (docs/debugging.md, "Collector API"), under the same host and
 * API-key rules as the rest of the API (router.ts).
 *
 *   GET    /api/debug/breakpoints[?service]     list, with the processes listening
 *   POST   /api/debug/breakpoints               create a file:line breakpoint or log point
 *   PATCH  /api/debug/breakpoints/:id           enable, disable, change condition or limits
 *   DELETE /api/debug/breakpoints/:id
 *   GET    /api/debug/snapshots[?service&breakpoint&traceId&spanId&limit]
 *   GET    /api/debug/snapshots/:id
 *   GET    /api/debug/agent?service&instance&version&wait    an agent's long poll
 *   POST   /api/debug/agent                     an agent's sites and breakpoint states
 *
 * Writes take only `Content-Type: application/json`: a page on another origin cannot send that
 * without a CORS preflight, which the collector never grants.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentReport } from '../../debug/protocol';
import { BadBreakpoint, type BreakpointInput, type BreakpointRegistry } from '../debug/breakpoint-registry';
import type { Store } from '../store/store';
import { BodyError, readRawBody } from './read-body';
import { sendJson } from './respond';

export interface DebugContext {
  registry: BreakpointRegistry;
  store: Store;
}

const MAX_BODY = 256 * 1024;
const HEX = /^[0-9a-f]+$/;

class BadRequest extends Error {}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new BadRequest('send the body as Content-Type: application/json');
  }
  const raw = await readRawBody(req, MAX_BODY);
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BadRequest('the body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequest('the body must be a JSON object');
  return v as Record<string, unknown>;
}

function param(p: URLSearchParams, name: string, max = 200): string | undefined {
  const v = p.get(name);
  if (v === null || v === '') return undefined;
  if (v.length > max) throw new BadRequest(`${name} is longer than ${max} characters`);
  return v;
}

function hexParam(p: URLSearchParams, name: string, length: number): string | undefined {
  const v = param(p, name);
  if (v === undefined) return undefined;
  const lower = v.toLowerCase();
  if (lower.length !== length || !HEX.test(lower)) throw new BadRequest(`${name} must be ${length} hex digits`);
  return lower;
}

function input(body: Record<string, unknown>): BreakpointInput {
  return body as BreakpointInput;
}

function agentReport(body: Record<string, unknown>): AgentReport {
  const service = body.service;
  const instance = body.instance;
  if (typeof service !== 'string' || service === '' || typeof instance !== 'string') throw new BadRequest('service and instance are required');
  const sites = Array.isArray(body.sites) ? (body.sites as AgentReport['sites']) : undefined;
  const states = Array.isArray(body.states) ? (body.states as AgentReport['states']) : undefined;
  if ((sites?.length ?? 0) > 1000 || (states?.length ?? 0) > 5000) throw new BadRequest('too many sites or states in one report');
  return { service, instance, sites, states };
}

/** Handles one `/api/debug/` request; never throws. */
export async function handleDebug(req: IncomingMessage, res: ServerResponse, url: URL, ctx: DebugContext): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const p = url.searchParams;
  try {
    if (path === '/api/debug/agent') {
      if (method === 'GET') {
        const service = param(p, 'service');
        if (service === undefined) throw new BadRequest('service is required');
        const wait = Number(p.get('wait') ?? 0);
        const closed = new AbortController();
        res.once('close', () => closed.abort());
        req.resume();
        const answer = await ctx.registry.poll(service, param(p, 'instance') ?? '', p.get('version') ?? '', Number.isFinite(wait) ? Math.max(0, wait) : 0, closed.signal);
        sendJson(res, 200, answer);
        return;
      }
      if (method === 'POST') {
        ctx.registry.report(agentReport(await jsonBody(req)));
        sendJson(res, 200, { ok: true });
        return;
      }
      return notAllowed(req, res, 'GET, POST');
    }
    if (path === '/api/debug/breakpoints') {
      if (method === 'GET' || method === 'HEAD') {
        req.resume();
        const service = param(p, 'service');
        const breakpoints = ctx.registry.list(service);
        const services = [...new Set(breakpoints.map((b) => b.service).concat(service === undefined ? [] : [service]))];
        sendJson(res, 200, { breakpoints, listeners: Object.fromEntries(services.map((s) => [s, ctx.registry.listeners(s)])) });
        return;
      }
      if (method === 'POST') {
        sendJson(res, 201, ctx.registry.create(input(await jsonBody(req))));
        return;
      }
      return notAllowed(req, res, 'GET, POST');
    }
    const bp = /^\/api\/debug\/breakpoints\/([A-Za-z0-9_]{1,64})$/.exec(path);
    if (bp !== null) {
      if (method === 'GET') {
        req.resume();
        const found = ctx.registry.get(bp[1]);
        if (found === undefined) sendJson(res, 404, { error: 'no such breakpoint' });
        else sendJson(res, 200, found);
        return;
      }
      if (method === 'PATCH') {
        const updated = ctx.registry.update(bp[1], input(await jsonBody(req)));
        if (updated === undefined) sendJson(res, 404, { error: 'no such breakpoint' });
        else sendJson(res, 200, updated);
        return;
      }
      if (method === 'DELETE') {
        req.resume();
        if (ctx.registry.delete(bp[1])) sendJson(res, 200, { deleted: bp[1] });
        else sendJson(res, 404, { error: 'no such breakpoint' });
        return;
      }
      return notAllowed(req, res, 'GET, PATCH, DELETE');
    }
    if (method !== 'GET' && method !== 'HEAD') return notAllowed(req, res, 'GET');
    req.resume();
    if (path === '/api/debug/snapshots') {
      const limit = Number(p.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequest('limit must be an integer from 1 to 1000');
      sendJson(res, 200, await ctx.store.snapshots({ service: param(p, 'service'), breakpointId: param(p, 'breakpoint', 64), traceId: hexParam(p, 'traceId', 32), spanId: hexParam(p, 'spanId', 16), limit }));
      return;
    }
    const snap = /^\/api\/debug\/snapshots\/([0-9a-f]{16})$/.exec(path);
    if (snap !== null) {
      const found = await ctx.store.snapshot(snap[1]);
      if (found === undefined) sendJson(res, 404, { error: 'no such snapshot (retention may have removed it)' });
      else sendJson(res, 200, found);
      return;
    }
    sendJson(res, 404, { error: `no API at ${path}` });
  } catch (err) {
    if (err instanceof BadRequest || err instanceof BadBreakpoint) sendJson(res, 400, { error: err.message });
    else if (err instanceof BodyError) sendJson(res, err.status, { error: err.message });
    else sendJson(res, 500, { error: 'the request failed', detail: String((err as Error)?.message ?? err).split('\n')[0] });
  }
}

function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  sendJson(res, 405, { error: `use ${allow}` }, { allow });
}
