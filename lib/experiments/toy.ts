/**
 * Notebook 1's runs (the paper's Fig. 1b): the same two-layer MLP trained with ERM and with mixup on two interleaved
 * half-moons, and p(y = 1 | x) of each over a grid of the plane.
 */
import { grid2d, Grid } from '../data/toy2d';
import type { TabularData } from '../data/dataset';
import { dataSet } from '../data/sets';
import { probabilityGrid, uncertainBand } from '../eval/boundary';
import type { CachedRun, RunSpec } from '../runs/cache';
import { lastTestError } from '../train/history';
import { methodRuns, WantedRun } from './jobs';
import { BaseParams, Defaults, profileTable } from './profiles';

export interface ToyParams extends BaseParams {
  points: number;
  noise: number;
  epochs: number;
  alpha: number;
  gridSteps: number;
}

const QUICK: ToyParams = { seeds: [1, 2, 3], points: 500, noise: 0.15, epochs: 30, alpha: 1, gridSteps: 50 };

/** lowdata is about CIFAR-10: this problem shows its point at the quick settings already. */
export const TOY_DEFAULTS: Defaults<ToyParams> = {
  base: QUICK,
  profiles: {
    smoke: { seeds: [1], points: 200, epochs: 3, gridSteps: 25 },
    paper: { seeds: [1, 2, 3, 4, 5], points: 1000, epochs: 100, gridSteps: 80 },
  },
};
export const TOY_PROFILES = profileTable(TOY_DEFAULTS);

/** One finished toy run: p(y = 1 | x) on the grid, the share of the plane where 0.1 < p < 0.9, test error %. */
export interface ToyRun {
  /** Its method's name (lib/methods). */
  method: string;
  seed: number;
  p: Float32Array;
  /** Share of the grid's plane with 0.1 < p(y = 1 | x) < 0.9, in %. */
  band: number;
  testError: number;
}

/** The plotted part of the plane. */
export const toyGrid = (P: ToyParams): Grid => grid2d(-1.5, 2.5, -1.0, 1.5, P.gridSteps);

/** A two-moons run: the same two-layer MLP at α (0: ERM) and a seed, which draws its points too (lib/data/sets). */
export function toySpec(P: ToyParams, alpha: number, seed: number): RunSpec {
  return {
    data: { set: 'two-moons', points: P.points, noise: P.noise, testPoints: 1000 },
    model: { kind: 'mlp', inputs: 2, hidden: [128, 128], numClasses: 2 },
    train: { epochs: P.epochs, batchSize: 32, optimizer: { kind: 'adam', lr: 0.001 }, mixup: { alpha }, seed },
  };
}

/** Notebook 1: ERM and mixup per seed. */
export function toyRuns(P: ToyParams): WantedRun[] {
  return methodRuns(P.seeds, P.alpha, (alpha, seed) => toySpec(P, alpha, seed));
}

/**
 * What notebook 1 draws from its trained runs: p(y = 1 | x) of each over the grid (the models are disposed of), and the
 * first seed's training points.
 */
export async function toyResults(
  trained: (WantedRun & { method: ToyRun['method']; run: CachedRun })[],
  P: ToyParams,
): Promise<{ runs: ToyRun[]; grid: Grid; shown: TabularData }> {
  const grid = toyGrid(P);
  const runs = trained.map(({ method, seed, run }) => {
    const p = probabilityGrid(run.model, grid);
    run.model.dispose();
    return { method, seed, p, band: 100 * uncertainBand(p), testError: 100 * lastTestError(run.history) };
  });
  const first = trained[0].job;
  return { runs, grid, shown: (await dataSet(first.data).load(first.data, first.train.seed)).train as TabularData };
}
