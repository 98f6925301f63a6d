/**
 * Percentiles from merged explicit-bucket histograms, the way Prometheus'
 * histogram_quantile does it: find the bucket holding the rank and interpolate linearly
 * inside it. The first bucket starts at 0 and the overflow bucket ends at the observed
 * maximum, so no answer exceeds a real observation.
 */

/** The q-quantile (0..1) of a histogram, in the histogram's unit; null when it is empty. */
export function histogramQuantile(q: number, bounds: number[], counts: number[], max: number | null): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c <= 0) continue;
    if (seen + c >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      let upper = i < bounds.length ? bounds[i] : (max ?? lower);
      if (max !== null && upper > max) upper = max;
      if (upper < lower) return lower;
      return lower + (upper - lower) * ((rank - seen) / c);
    }
    seen += c;
  }
  return max;
}
