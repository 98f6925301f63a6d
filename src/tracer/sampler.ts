/**
 * Head sampling: a parent-based trace-id-ratio sampler. A root span is kept when the low
 * 32 bits of its trace id fall under the ratio, so every service that sees the same trace
 * id and the same ratio makes the same choice; a child follows its parent's sampled flag.
 */

export interface SamplerSettings {
  rate: number;
  parentBased: boolean;
}

/**
 * Decides whether a span is recorded, from its parent's sampled flag (if it has a parent) or
 * the low 32 bits of its trace id (`lowWord`, the id's last four bytes as an int32).
 */
export function shouldSample(s: SamplerSettings, lowWord: number, parentSampled: boolean | undefined): boolean {
  if (parentSampled !== undefined && s.parentBased) return parentSampled;
  if (s.rate >= 1) return true;
  if (s.rate <= 0) return false;
  return (lowWord >>> 0) / 0x100000000 < s.rate;
}
