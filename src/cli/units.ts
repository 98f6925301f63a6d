/** Parsing of the CLI's durations (`90s`, `30m`, `24h`, `7d`) and sizes (`512MB`, `1GB`). */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Milliseconds, or undefined when `text` is not a positive duration with a unit. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim().toLowerCase());
  if (m === null) return undefined;
  const ms = Number(m[1]) * DURATION_UNITS[m[2]];
  return ms > 0 ? ms : undefined;
}

/** Bytes, or undefined when `text` is not a positive size (`16MB`, `512kb`, `1GB`, bytes). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/.exec(text.trim().toLowerCase());
  if (m === null) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2] ?? 'b']);
  return bytes > 0 ? bytes : undefined;
}
