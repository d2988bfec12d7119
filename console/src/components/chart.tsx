// A small SVG line chart of time series (no chart library): shared time axis over the samples' span, y from 0 to
// the largest value, one polyline per series, the latest value of each in the legend.

interface Series {
  name: string;
  className: string;
  points: readonly [time: number, value: number][];
}

interface ChartProps {
  id: string;
  title: string;
  series: readonly Series[];
  format: (v: number) => string;
}

const W = 320;
const H = 120;
const PAD = { left: 4, right: 4, top: 8, bottom: 14 };

export function Chart({ id, title, series, format }: ChartProps) {
  const all = series.flatMap((s) => s.points);
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  const top = Math.max(0, ...all.map((p) => p[1]));
  const vmax = top > 0 ? top * 1.15 : 1; // headroom, so a flat line does not sit on the frame
  const x = (t: number) => PAD.left + (t1 === t0 ? W - PAD.left - PAD.right : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v: number) => H - PAD.bottom - (v / vmax) * (H - PAD.top - PAD.bottom);
  const span = all.length > 0 ? Math.round((t1 - t0) / 1000) : 0;
  return (
    <figure class="chart" data-testid={`chart-${id}`} data-points={all.length}>
      <figcaption>
        <span class="chart-title">{title}</span>
        {series.map((s) => {
          const last = s.points[s.points.length - 1];
          return <span key={s.name} class={`legend ${s.className}`}>{s.name}: {last ? format(last[1]) : '—'}</span>;
        })}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={title}>
        <line class="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <line class="grid" x1={PAD.left} y1={y(top)} x2={W - PAD.right} y2={y(top)} />
        <text class="tick" x={PAD.left} y={Math.max(8, y(top) - 2)}>{all.length > 0 ? format(top) : ''}</text>
        <text class="tick" x={W - PAD.right} y={H - 2} text-anchor="end">{all.length > 0 ? `last ${span} s` : 'no data yet'}</text>
        {series.map((s) => s.points.length > 0 && (
          <polyline key={s.name} class={`line ${s.className}`} points={s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
    </figure>
  );
}
