/**
 * Serves the dashboard: the static files `npm run build` bundles into `dist/ui` (index.html,
 * a module script with lazily loaded chunks, one stylesheet), read into memory once at start.
 * Every answer carries a Content-Security-Policy that allows only this origin's own scripts,
 * styles and API, plus the AI providers the assist may call straight from the browser.
 * The page itself holds no data, so it is served without the API key; its API calls need it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { send } from './respond';

/** The providers the AI assist talks to by default. */
export const AI_PROVIDER_ORIGINS = ['https://api.anthropic.com', 'https://api.openai.com'];

/** Where the build puts the bundle, relative to this compiled file (dist/collector/server). */
export const DEFAULT_ASSETS_DIR = join(__dirname, '..', '..', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

interface Asset { body: Buffer; type: string; etag: string }

const MISSING = `<!doctype html><meta charset="utf-8"><title>tracekit</title>
<p>The dashboard's files are missing from this install (dist/ui). Run <code>npm run build</code>.
The OTLP ingest (<code>/v1/traces</code>, <code>/v1/metrics</code>, <code>/v1/logs</code>) and the JSON API (<code>/api/</code>) work without them.</p>`;

/** The policy for every dashboard answer; `aiOrigins` are the only places the page may call besides itself. */
export function contentSecurityPolicy(aiOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${aiOrigins.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const type = TYPES[extname(name)];
      if (type === undefined) continue;
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      assets.set('/' + relative(dir, path).split(sep).join('/'), { body, type, etag });
    }
  };
  walk(dir);
  return assets;
}

export interface DashboardOptions {
  assetsDir?: string;
  /** Origins the AI assist may call; defaults to Anthropic's and OpenAI's APIs. */
  aiOrigins?: readonly string[];
}

/** Builds the router's dashboard handler; it answers false for paths it does not serve. */
export function createDashboard(options: DashboardOptions = {}): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const assets = loadAssets(options.assetsDir ?? DEFAULT_ASSETS_DIR);
  const headers = {
    'content-security-policy': contentSecurityPolicy(options.aiOrigins ?? AI_PROVIDER_ORIGINS),
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // Every view of the single-page app is `/` with its state in the query string.
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const asset = assets.get(path);
    if (asset === undefined) {
      if (path !== '/index.html') return false;
      send(res, 200, 'text/html; charset=utf-8', MISSING, headers);
      return true;
    }
    const cache = { ...headers, etag: asset.etag, 'cache-control': 'no-cache' };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, cache);
      res.end();
      return true;
    }
    // Node leaves the body out of a HEAD answer by itself.
    send(res, 200, asset.type, asset.body, cache);
    return true;
  };
}
