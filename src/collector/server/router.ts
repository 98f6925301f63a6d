/**
 * The collector's HTTP front door: host and key checks, then ingest, the API, or the
 * dashboard's static files. No CORS headers are ever sent, so browsers on other origins cannot read
 * answers or send JSON/protobuf (those need a preflight that is refused).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestPipeline } from '../ingest/pipeline';
import type { AccessPolicy } from './access';
import { handleApi, type ApiContext } from './api-handler';
import { handleDebug, type DebugContext } from './debug-api';
import { handleIngest, INGEST_PATHS, type IngestLimits } from './ingest-handler';
import { sendJson } from './respond';

export interface RouterDeps {
  access: AccessPolicy;
  pipeline: IngestPipeline;
  limits: IngestLimits;
  api: ApiContext;
  debug: DebugContext;
  /** Serves `/` and static assets; answers false when it has nothing for the path. */
  dashboard: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
}

/** Returns the request listener. */
export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void route(req, res, deps).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: RouterDeps): Promise<void> {
  if (!deps.access.hostAllowed(req)) {
    req.resume();
    sendJson(res, 421, { error: 'this collector only answers requests addressed to a loopback host' });
    return;
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://collector');
  } catch {
    req.resume();
    sendJson(res, 400, { error: 'the request target is not a valid path' });
    return;
  }
  const signal = INGEST_PATHS[url.pathname];
  const isApi = url.pathname.startsWith('/api/');
  if ((signal !== undefined || isApi) && !deps.access.authorized(req)) {
    req.resume();
    sendJson(res, 401, { error: 'missing or wrong API key (send it as x-api-key or Authorization: Bearer)' }, { 'www-authenticate': 'Bearer' });
    return;
  }
  if (signal !== undefined) {
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, { error: 'OTLP ingest takes POST' }, { allow: 'POST' });
      return;
    }
    await handleIngest(req, res, signal, deps.pipeline, deps.limits);
    return;
  }
  if (url.pathname.startsWith('/api/debug/')) {
    await handleDebug(req, res, url, deps.debug);
    return;
  }
  req.resume();
  if (isApi) {
    await handleApi(req, res, url, deps.api);
    return;
  }
  if (deps.dashboard(req, res, url)) return;
  sendJson(res, 404, { error: 'not found' });
}
