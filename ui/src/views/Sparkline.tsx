/** A small bar chart of counts over the window (oldest on the left), for a table row. */
const W = 96;
const H = 18;

export function Sparkline({ counts, title }: { counts: number[]; title: string }) {
  const peak = Math.max(1, ...counts);
  const bar = W / Math.max(1, counts.length);
  return (
    <svg class="sparkline" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} data-counts={counts.join(',')}>
      <title>{title}</title>
      {counts.map((c, i) => (c === 0 ? null : <rect key={i} x={i * bar + 0.5} width={Math.max(1, bar - 1)} y={H - Math.max(2, (c / peak) * H)} height={Math.max(2, (c / peak) * H)} />))}
    </svg>
  );
}
