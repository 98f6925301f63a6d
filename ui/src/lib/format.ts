/** How numbers look on the page. Missing values are an en dash, never "NaN" or "null". */
const DASH = '–';

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 1) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

/** Per-second rates. */
export function rate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  // A few requests in a long window are a small but non-zero rate: keep two significant digits.
  if (v > 0 && v < 0.01) return `${v.toPrecision(2)}/s`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}/s`;
}

/** `v` is already a percentage (0-100). */
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${v === 0 ? '0' : v < 0.1 ? v.toFixed(2) : v.toFixed(1)}%`;
}

export function count(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return Math.round(v).toLocaleString('en-US');
}

/** Averages such as queries per request. */
export function avg(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (v === 0) return '0';
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function bytes(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Local wall-clock time, with the date when it is not today. */
/** A 24-hour clock, as the tables' times: `14:05`, or `14:05:30` with seconds. */
export function clock(epochMs: number, seconds: boolean): string {
  return new Date(epochMs).toLocaleTimeString('en-GB', { hour12: false, hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) });
}

export function time(epochMs: number): string {
  const d = new Date(epochMs);
  const t = d.toLocaleTimeString('en-GB', { hour12: false });
  return d.toDateString() === new Date().toDateString() ? t : `${d.toISOString().slice(0, 10)} ${t}`;
}
