/**
 * Our small chart kit: plain SVG, no dependency. Each chart is an image with a text summary
 * (aria-label), prints its latest value, and keeps a fixed scale where values are compared
 * (health 0-100, CSAT and SLA 0-100 %), so that a trend is never exaggerated.
 */
export interface Point {
  date: string;
  value: number | null;
}

export function LineChart({
  points,
  label,
  min = 0,
  max,
  format,
  height = 80,
}: {
  points: Point[];
  label: string;
  min?: number;
  max?: number;
  format: (value: number) => string;
  height?: number;
}) {
  const width = 300;
  const pad = 4;
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const last = [...points].reverse().find((p) => p.value !== null);
  if (values.length === 0 || !last || last.value === null) {
    return <p className="muted chart-empty">No data in this range yet.</p>;
  }
  if (values.length === 1) {
    return (
      <p className="chart-empty">
        <strong>{format(last.value)}</strong> <span className="muted">today; the trend appears as days are recorded.</span>
      </p>
    );
  }
  const top = max ?? Math.max(1, ...values) * 1.1;
  const x = (i: number) => pad + (i * (width - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v: number) => height - pad - ((v - min) / (top - min || 1)) * (height - 2 * pad);
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
  });
  if (current) segments.push(current);
  const first = points.find((p) => p.value !== null)!;
  const summary = `${label}: ${format(last.value)} on ${last.date}${first !== last && first.value !== null ? `, from ${format(first.value)} on ${first.date}` : ''}`;
  const lastIndex = points.lastIndexOf(last);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} className="axis" />
        {segments.map((d, i) => (
          <path key={i} d={d} className="line" />
        ))}
        <circle cx={x(lastIndex)} cy={y(last.value)} r={3} className="dot" />
      </svg>
      <figcaption>
        <strong>{format(last.value)}</strong> <span className="muted">latest</span>
      </figcaption>
    </figure>
  );
}

/** Bars for counts per day (escalations). */
export function BarChart({ points, label }: { points: Point[]; label: string }) {
  const width = 300;
  const height = 60;
  const values = points.map((p) => p.value ?? 0);
  const top = Math.max(1, ...values);
  const barWidth = (width - 4) / Math.max(1, points.length);
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: peak ${Math.max(0, ...values)}, latest ${values.at(-1) ?? 0}`} preserveAspectRatio="none">
        <line x1={2} x2={width - 2} y1={height - 1} y2={height - 1} className="axis" />
        {values.map((v, i) =>
          v > 0 ? <rect key={i} x={2 + i * barWidth} width={Math.max(1, barWidth - 1)} y={height - 1 - (v / top) * (height - 4)} height={(v / top) * (height - 4)} className="bar" /> : null,
        )}
      </svg>
      <figcaption>
        <strong>{values.at(-1) ?? 0}</strong> <span className="muted">now{total === 0 ? ', none in this range' : ''}</span>
      </figcaption>
    </figure>
  );
}

/**
 * The open-tickets gauge as a bullet graph: a bar for open tickets now, a light band for the
 * customer's usual load (up to its baseline), a darker one for elevated (up to 3x, where the
 * signal scores 0), and a tick at the baseline.
 */
export function BulletGauge({ value, baseline, label }: { value: number; baseline: number | null; label: string }) {
  const width = 300;
  const base = baseline ?? null;
  const max = Math.max(value, base ? base * 3 : value, 1) * 1.05;
  const sx = (v: number) => (v / max) * width;
  const state = base === null ? '' : value <= base ? 'within its usual load' : value <= base * 2 ? 'above its usual load' : 'far above its usual load';
  const summary = `${label}: ${value}${base !== null ? `, usual about ${Math.round(base)}, ${state}` : ''}`;
  return (
    <figure className="gauge">
      <div className="gauge-number">
        <strong>{value}</strong> <span className="muted">{state || 'open'}</span>
      </div>
      <svg viewBox={`0 0 ${width} 24`} role="img" aria-label={summary} preserveAspectRatio="none">
        {base !== null && <rect x={0} y={2} width={sx(base * 3)} height={20} className="band-elevated" />}
        {base !== null && <rect x={0} y={2} width={sx(base)} height={20} className="band-usual" />}
        <rect x={0} y={8} width={Math.max(2, sx(value))} height={8} className="measure" />
        {base !== null && <line x1={sx(base)} x2={sx(base)} y1={0} y2={24} className="target" />}
      </svg>
      {base !== null && <figcaption className="muted">Tick: usual load ({Math.round(base * 10) / 10}); shaded to 3× usual.</figcaption>}
    </figure>
  );
}
