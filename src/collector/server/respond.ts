/** Small helpers for writing responses with the collector's standard headers. */
import type { ServerResponse } from 'node:http';

/** Headers on every answer: no sniffing, no caching, and no CORS grant of any kind. */
export function baseHeaders(contentType: string): Record<string, string> {
  return { 'content-type': contentType, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
}

export function send(res: ServerResponse, status: number, contentType: string, body: Buffer | string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...baseHeaders(contentType), 'content-length': String(buf.length), ...extra });
  res.end(buf);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra);
}
