/** Inline SVG charts (no chart library), each with a text alternative. */

export interface HealthPoint {
  checkedAt: string;
  passed: boolean;
  health: string;
  latencyMs: number | null;
  statusCode: number | null;
  failureCategory: string | null;
}

const WIDTH = 640;
const HEIGHT = 160;
const PAD = { left: 44, right: 8, top: 10, bottom: 24 };

/** Latency over time, a dot per check: filled green when it passed, a red cross when not. Oldest left. */
export function HealthChart({ points, title }: { points: HealthPoint[]; title: string }) {
  const ordered = [...points].sort((a, b) => Date.parse(a.checkedAt) - Date.parse(b.checkedAt));
  if (ordered.length === 0) return <p>No health checks yet.</p>;
  const times = ordered.map((point) => Date.parse(point.checkedAt));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const maxLatency = Math.max(1, ...ordered.map((point) => point.latencyMs ?? 0));
  const x = (time: number) => PAD.left + ((time - t0) / (t1 - t0)) * (WIDTH - PAD.left - PAD.right);
  const y = (latency: number) => PAD.top + (1 - latency / maxLatency) * (HEIGHT - PAD.top - PAD.bottom);
  const line = ordered.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(times[index]).toFixed(1)},${y(point.latencyMs ?? 0).toFixed(1)}`).join(' ');
  const failed = ordered.filter((point) => !point.passed).length;
  const summary = `${ordered.length} checks from ${new Date(t0).toLocaleString()} to ${new Date(t1).toLocaleString()}: ${ordered.length - failed} passed, ${failed} failed; latency up to ${maxLatency} ms.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}. ${summary}`}>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} className="axis" />
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={HEIGHT - PAD.bottom} className="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="tick">
          {maxLatency} ms
        </text>
        <text x={PAD.left - 4} y={HEIGHT - PAD.bottom} textAnchor="end" className="tick">
          0
        </text>
        <path d={line} className="series" fill="none" />
        {ordered.map((point, index) =>
          point.passed ? (
            <circle key={index} cx={x(times[index])} cy={y(point.latencyMs ?? 0)} r={3.5} className="pass">
              <title>{`${point.checkedAt}: passed, ${point.latencyMs ?? '?'} ms`}</title>
            </circle>
          ) : (
            <g key={index} className="fail" transform={`translate(${x(times[index])},${y(point.latencyMs ?? 0)})`}>
              <path d="M-4,-4 L4,4 M-4,4 L4,-4" />
              <title>{`${point.checkedAt}: failed (${point.failureCategory ?? point.statusCode ?? 'error'}), ${point.latencyMs ?? '?'} ms`}</title>
            </g>
          ),
        )}
      </svg>
      <figcaption>
        {summary} <span className="legend pass-legend">● passed</span> <span className="legend fail-legend">✕ failed</span>
      </figcaption>
    </figure>
  );
}

export interface UsageRow {
  day: string;
  connectionId: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  requests: number;
}

const PALETTE = ['#1f5fbf', '#b3541e', '#2e7d32', '#7b1fa2', '#00838f', '#ad1457', '#5d4037', '#455a64'];

/** Stacked bars: total tokens per day, one colour per connection. */
export function UsageChart({ rows }: { rows: UsageRow[] }) {
  if (rows.length === 0) return <p>No model usage in this period.</p>;
  const days = [...new Set(rows.map((row) => row.day))].sort();
  const connections = [...new Set(rows.map((row) => row.connectionId))].sort();
  const totals = days.map((day) => rows.filter((row) => row.day === day).reduce((sum, row) => sum + row.totalTokens, 0));
  const max = Math.max(1, ...totals);
  const band = (WIDTH - PAD.left - PAD.right) / days.length;
  const barWidth = Math.max(2, band * 0.7);
  const scale = (value: number) => (value / max) * (HEIGHT - PAD.top - PAD.bottom);
  const summary = `Total tokens per day from ${days[0]} to ${days[days.length - 1]}, ${connections.length} connection(s); the busiest day used ${max.toLocaleString()} tokens.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} className="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="tick">
          {max >= 1000 ? `${Math.round(max / 1000)}k` : max}
        </text>
        {days.map((day, dayIndex) => {
          let base = HEIGHT - PAD.bottom;
          return (
            <g key={day}>
              {connections.map((connectionId, colour) => {
                const row = rows.find((candidate) => candidate.day === day && candidate.connectionId === connectionId);
                if (!row || row.totalTokens === 0) return null;
                const height = scale(row.totalTokens);
                base -= height;
                return (
                  <rect key={connectionId} x={PAD.left + dayIndex * band + (band - barWidth) / 2} y={base} width={barWidth} height={height} fill={PALETTE[colour % PALETTE.length]}>
                    <title>{`${day} ${connectionId}: ${row.totalTokens} tokens (${row.promptTokens} prompt, ${row.completionTokens} completion), ${row.requests} requests`}</title>
                  </rect>
                );
              })}
              {days.length <= 14 || dayIndex % Math.ceil(days.length / 10) === 0 ? (
                <text x={PAD.left + dayIndex * band + band / 2} y={HEIGHT - 8} textAnchor="middle" className="tick">
                  {day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {connections.map((connectionId, colour) => (
          <span key={connectionId} className="legend">
            <span className="swatch" style={{ background: PALETTE[colour % PALETTE.length] }} aria-hidden="true" /> {connectionId}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
