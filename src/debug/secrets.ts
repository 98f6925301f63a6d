/**
 * Redaction of live-debugging data in the process, before a snapshot leaves it
 * (docs/debugging.md, "Redaction"): a field whose name looks secret, and a value that looks
 * like a credential whatever its name, become `REDACTED`, field by field.
 */
import { isSecretName, REDACTED } from '../instrumentations/redact';

export { REDACTED };

// Names beyond the URL/log rule (redact.ts), compared with `_`, `-` and spaces removed.
const MORE_SECRET_NAMES = /passphrase|privatekey|apikey|accesskey|clientsecret|creditcard|cardnumber|ccnumber|^cc$|^pan$|cvv|cvc|^ssn$|socialsecurity|^pin$|bearer/;

/** True for a variable, key or header name whose value should never leave the process. */
export function isSecretKey(name: string): boolean {
  if (isSecretName(name)) return true;
  return MORE_SECRET_NAMES.test(name.toLowerCase().replace(/[-_\s]/g, ''));
}

// Credentials recognisable by shape. Each is anchored to something a plain word, id or
// timestamp does not have (a scheme word, a fixed prefix, three base64url parts).
const SECRET_VALUES: readonly RegExp[] = [
  /\b(?:bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]{8,}/i,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/,
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}/,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
  /\bAIza[0-9A-Za-z_-]{35}\b/,
];

// 13 to 19 digits, optionally grouped by single spaces or dashes.
const CARD_LIKE = /(?:^|[^0-9])([0-9](?:[ -]?[0-9]){12,18})(?![0-9])/g;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number: an issuer's prefix and length (Visa, Mastercard, Amex, Discover,
 * Diners, JCB), and the Luhn check. The prefix rule keeps millisecond timestamps (13 digits
 * starting with 1) and other long ids from being taken for cards one time in ten.
 */
export function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  const issuer =
    (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) ||
    (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) ||
    ((p2 === 34 || p2 === 37) && n === 15) ||
    ((p4 === 6011 || p2 === 65 || (p4 >= 6440 && p4 <= 6499)) && n >= 16) ||
    ((p2 === 36 || p2 === 38 || (p4 >= 3000 && p4 <= 3059)) && n === 14) ||
    (p4 >= 3528 && p4 <= 3589 && n >= 16);
  return issuer && luhn(digits);
}

/** True when a string holds something shaped like a credential or a card number. */
export function looksSecret(value: string): boolean {
  if (value.length < 8) return false;
  for (const re of SECRET_VALUES) if (re.test(value)) return true;
  if (!/[0-9]{4}/.test(value)) return false;
  CARD_LIKE.lastIndex = 0;
  for (let m = CARD_LIKE.exec(value); m !== null; m = CARD_LIKE.exec(value)) {
    if (isCardNumber(m[1].replace(/[ -]/g, ''))) return true;
  }
  return false;
}

/** A number whose digits make a card number (a card kept as a number, not a string). */
export function numberLooksSecret(value: number): boolean {
  return Number.isInteger(value) && value >= 1e12 && isCardNumber(String(value));
}
