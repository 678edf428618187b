/** Shapes results into the flat rows the chart specs take. */
import type { TabularData } from '../data/dataset';
import type { Grid } from '../data/toy2d';
import type { EpochRecord } from '../train/loop';
import type { Row } from './specs';

export function historyRows(run: string, history: EpochRecord[]): Row[] {
  return history.map((e) => ({ run, epoch: e.epoch + 1, trainLoss: e.trainLoss, trainError: e.trainError, testError: e.testError, ...e.extra }));
}

export function heatmapRows(grid: Grid, p: ArrayLike<number>, panel: string): Row[] {
  const step = grid.xs[1] - grid.xs[0];
  return Array.from({ length: p.length }, (_, i) => {
    const x = grid.points[2 * i], y = grid.points[2 * i + 1];
    return { panel, x: x - step / 2, x2: x + step / 2, y: y - step / 2, y2: y + step / 2, p: p[i] };
  });
}

export function pointRows(d: TabularData): Row[] {
  return Array.from({ length: d.n }, (_, i) => ({ x: d.features[2 * i], y: d.features[2 * i + 1], label: String(d.labels[i]) }));
}
