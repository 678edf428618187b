/**
 * Notebook 1's runs (the paper's Fig. 1b): the same two-layer MLP trained with ERM and with mixup on two interleaved
 * half-moons, and p(y = 1 | x) of each over a grid of the plane.
 */
import { grid2d, Grid, twoMoons } from '../data/toy2d';
import type { TabularData } from '../data/dataset';
import { probabilityGrid, uncertainBand } from '../eval/boundary';
import { stream } from '../random';
import { cachedRun } from '../runs/cache';
import type { TrainCallbacks } from '../train/loop';
import { lastTestError } from '../train/history';
import type { BaseParams, Profile } from './profiles';

export interface ToyParams extends BaseParams {
  points: number;
  noise: number;
  epochs: number;
  alpha: number;
  gridSteps: number;
}

const QUICK: ToyParams = { seeds: [1, 2, 3], points: 500, noise: 0.15, epochs: 30, alpha: 1, gridSteps: 50 };

/** lowdata is about CIFAR-10: this problem shows its point at the quick settings already. */
export const TOY_PROFILES: Record<Profile, ToyParams> = {
  smoke: { seeds: [1], points: 200, noise: 0.15, epochs: 3, alpha: 1, gridSteps: 25 },
  quick: QUICK,
  lowdata: QUICK,
  paper: { seeds: [1, 2, 3, 4, 5], points: 1000, noise: 0.15, epochs: 100, alpha: 1, gridSteps: 80 },
};

/** One finished toy run: p(y = 1 | x) on the grid, the share of the plane where 0.1 < p < 0.9, test error %. */
export interface ToyRun {
  method: 'ERM' | 'mixup';
  seed: number;
  p: Float32Array;
  /** Share of the grid's plane with 0.1 < p(y = 1 | x) < 0.9, in %. */
  band: number;
  testError: number;
}

/** The plotted part of the plane. */
export const toyGrid = (P: ToyParams): Grid => grid2d(-1.5, 2.5, -1.0, 1.5, P.gridSteps);

/** ERM and mixup per seed through the run cache; also the first seed's training points, for the chart. */
export async function toyRuns(
  P: ToyParams,
  progress?: (label: string) => TrainCallbacks,
): Promise<{ runs: ToyRun[]; grid: Grid; shown: TabularData }> {
  const grid = toyGrid(P);
  const runs: ToyRun[] = [];
  let shown: TabularData | null = null;
  for (const seed of P.seeds) {
    const data = {
      train: twoMoons(P.points, P.noise, stream(seed, 'toy')),
      test: twoMoons(1000, P.noise, stream(seed, 'toy-test')),
    };
    shown ??= data.train;
    for (const [method, alpha] of [
      ['ERM', 0],
      ['mixup', P.alpha],
    ] as const) {
      const run = await cachedRun(
        {
          data: { set: 'two-moons', points: P.points, noise: P.noise, testPoints: 1000 },
          model: { kind: 'mlp', inputs: 2, hidden: [128, 128], numClasses: 2 },
          train: { epochs: P.epochs, batchSize: 32, optimizer: { kind: 'adam', lr: 0.001 }, mixup: { alpha }, seed },
        },
        data,
        progress?.(`${method}, seed ${seed}`),
      );
      const p = probabilityGrid(run.model, grid);
      runs.push({ method, seed, p, band: 100 * uncertainBand(p), testError: 100 * lastTestError(run.history) });
      run.model.dispose();
    }
  }
  return { runs, grid, shown: shown! };
}
