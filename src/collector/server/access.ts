/**
 * Who may talk to the collector. Bound to loopback, only requests naming a loopback host are
 * served (a web page that rebinds its own DNS name to 127.0.0.1 cannot read the API). With
 * an API key, every ingest and API request must carry it, as `x-api-key` (what the agent
 * sends) or `Authorization: Bearer`; the comparison takes the same time whatever the guess.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class AccessPolicy {
  private readonly keyDigest: Buffer | undefined;

  constructor(private readonly loopbackOnly: boolean, apiKey: string | undefined) {
    this.keyDigest = apiKey === undefined || apiKey === '' ? undefined : digest(apiKey);
  }

  /** False when a loopback-bound collector is addressed by a name that is not loopback. */
  hostAllowed(req: IncomingMessage): boolean {
    if (!this.loopbackOnly) return true;
    const host = req.headers.host;
    if (host === undefined) return true;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    return LOOPBACK_HOSTS.has(name.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
  }

  /** True when no key is configured or the request carries the right one. */
  authorized(req: IncomingMessage): boolean {
    if (this.keyDigest === undefined) return true;
    let given = req.headers['x-api-key'];
    if (Array.isArray(given)) given = given[0];
    if (given === undefined) {
      const auth = req.headers.authorization;
      if (auth !== undefined && /^bearer /i.test(auth)) given = auth.slice(7).trim();
    }
    if (given === undefined) return false;
    return timingSafeEqual(digest(given), this.keyDigest);
  }
}
