/**
 * Redaction of secrets in URLs before they are put on a span (docs/security.md): query
 * parameters whose name looks like a credential, and user:password in the authority.
 * Runs only when a URL has a query or an `@`; the common path is a single indexOf.
 */

// `code` is an OAuth authorization code and `pw` a password; both only as whole names, so that
// `country_code` or `pwa` stay readable. Path segments are never redacted (docs/security.md).
const SECRET_PARAM = /pass|pwd|token|secret|key|auth|session|signature|sig$|credential|cookie|jwt|otp|verifier|^code$|^pw$/i;
export const REDACTED = 'REDACTED';

/** True for a name (query parameter, log field) whose value looks like a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/** Redacts secret-looking parameter values in a query string (without the leading `?`). */
export function redactQuery(query: string): string {
  if (query === '') return query;
  let changed = false;
  const parts = query.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    if (eq !== -1 && SECRET_PARAM.test(decoded)) {
      parts[i] = `${name}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? parts.join('&') : query;
}

/** Redacts userinfo and secret query parameters in a full URL string. */
export function redactUrl(url: string): string {
  let out = url;
  const scheme = out.indexOf('://');
  if (scheme !== -1) {
    const at = out.indexOf('@', scheme + 3);
    const slash = out.indexOf('/', scheme + 3);
    if (at !== -1 && (slash === -1 || at < slash)) out = `${out.slice(0, scheme + 3)}${REDACTED}:${REDACTED}@${out.slice(at + 1)}`;
  }
  const q = out.indexOf('?');
  if (q === -1) return out;
  const hash = out.indexOf('#', q);
  const query = hash === -1 ? out.slice(q + 1) : out.slice(q + 1, hash);
  return `${out.slice(0, q + 1)}${redactQuery(query)}${hash === -1 ? '' : out.slice(hash)}`;
}
