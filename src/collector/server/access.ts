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

/** Shortest API key accepted beyond loopback. */
export const MIN_REMOTE_KEY_LENGTH = 16;

/**
 * Why an API key cannot be used, or undefined when it can. HTTP trims header values, so a key
 * that is blank or starts or ends with white space could never be sent; beyond loopback a key
 * is the only defence, so it must be at least {@link MIN_REMOTE_KEY_LENGTH} characters.
 */
export function apiKeyProblem(key: string | undefined, loopback: boolean): string | undefined {
  if (key === undefined || key === '') return loopback ? undefined : 'without an API key';
  if (key.trim() === '') return 'with a blank API key';
  if (key.trim() !== key) return 'with an API key that starts or ends with white space (HTTP trims header values, so no client could send it)';
  if (/[^\x21-\x7e]/.test(key)) return 'with an API key holding characters an HTTP header cannot carry (use printable ASCII)';
  if (!loopback && key.length < MIN_REMOTE_KEY_LENGTH) return `with an API key shorter than ${MIN_REMOTE_KEY_LENGTH} characters`;
  return undefined;
}

/**
 * The host name of a Host header, or undefined when the header is not a plain
 * `name[:port]` or `[ipv6][:port]` (so `[::1]evil.com` is no loopback name).
 */
export function hostNameOf(header: string): string | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header);
  return m === null ? undefined : m[1].toLowerCase();
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
    const name = hostNameOf(host);
    if (name === undefined) return false;
    return LOOPBACK_HOSTS.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
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
