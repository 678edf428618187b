/** Shapes results into the flat rows the chart specs take. */
import type { TabularData } from '../data/dataset';
import type { Spectrograms } from '../data/spectrogram';
import type { Grid } from '../data/toy2d';
import type { EpochRecord } from '../train/loop';
import type { Row } from './specs';

/** A run's history as chart rows: errors in percent (histories hold fractions; charts, like tables, show percent). */
export function historyRows(run: string, history: EpochRecord[]): Row[] {
  const pct = (f: number | null) => (f === null ? null : 100 * f);
  return history.map((e) => ({
    run,
    epoch: e.epoch + 1,
    trainLoss: e.trainLoss,
    trainError: pct(e.trainError),
    testError: pct(e.testError),
    ...Object.fromEntries(
      Object.entries(e.extra ?? {}).map(([k, v]) => [k, typeof v === 'number' && /Error$/.test(k) ? 100 * v : v]),
    ),
  }));
}

export function heatmapRows(grid: Grid, p: ArrayLike<number>, panel: string): Row[] {
  const step = grid.xs[1] - grid.xs[0];
  return Array.from({ length: p.length }, (_, i) => {
    const x = grid.points[2 * i],
      y = grid.points[2 * i + 1];
    return { panel, x: x - step / 2, x2: x + step / 2, y: y - step / 2, y2: y + step / 2, p: p[i] };
  });
}

export function pointRows(d: TabularData): Row[] {
  return Array.from({ length: d.n }, (_, i) => ({
    x: d.features[2 * i],
    y: d.features[2 * i + 1],
    label: String(d.labels[i]),
  }));
}

/** One spectrogram as heatmap rows (frame, bin, value), averaged over pool×pool cells so a chart stays light. */
export function spectrogramRows(s: Spectrograms, index: number, panel: string, pool = 2): Row[] {
  const { frames, bins } = s;
  const base = index * frames * bins;
  const rows: Row[] = [];
  for (let f = 0; f < frames; f += pool)
    for (let b = 0; b < bins; b += pool) {
      let sum = 0,
        n = 0;
      for (let df = 0; df < pool && f + df < frames; df++)
        for (let db = 0; db < pool && b + db < bins; db++) {
          sum += s.values[base + (f + df) * bins + b + db];
          n++;
        }
      rows.push({ panel, frame: f, bin: b, 'log |STFT|': sum / n });
    }
  return rows;
}
