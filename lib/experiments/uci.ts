/**
 * Notebook 4's runs (the paper's Table 5): the paper's MLP (two hidden layers of 128 ReLU units, Adam, batch 16,
 * 10 epochs) with ERM and with mixup on each UCI set, a seeded train / test split per seed.
 */
import { UCI_DATASETS, UCI_SHAPES, UciName } from '../data/uci';
import type { CachedRun, RunSpec } from '../runs/cache';
import { lastTestError } from '../train/history';
import { methodRuns, WantedRun } from './jobs';
import { BaseParams, Defaults, profileTable } from './profiles';

export interface UciParams extends BaseParams {
  sets: string[];
  epochs: number;
  alpha: number;
  batchSize: number;
  testFraction: number;
}

const QUICK: UciParams = {
  seeds: [1, 2, 3],
  sets: [...UCI_DATASETS],
  epochs: 10,
  alpha: 1,
  batchSize: 16,
  testFraction: 0.2,
};

/** These sets are small already and the paper's protocol is 10 epochs: lowdata keeps the quick settings. */
export const UCI_DEFAULTS: Defaults<UciParams> = {
  base: QUICK,
  choices: { sets: UCI_DATASETS },
  profiles: {
    smoke: { seeds: [1], sets: ['iris', 'spambase'], epochs: 2 },
    paper: { seeds: [1, 2, 3, 4, 5] },
  },
};
export const UCI_PROFILES = profileTable(UCI_DEFAULTS);

/** One finished run's last-epoch test error, in %. */
export interface UciRun {
  set: string;
  /** Its method's name (lib/methods). */
  method: string;
  seed: number;
  error: number;
}

/** A UCI run: the paper's MLP on one set's seeded split (the split seed is the run's), at α (0: ERM). */
export function uciSpec(P: UciParams, name: UciName, alpha: number, seed: number): RunSpec {
  const { inputs, classes } = UCI_SHAPES[name];
  return {
    data: { set: `uci-${name}`, testFraction: P.testFraction, splitSeed: seed },
    model: { kind: 'mlp', inputs, hidden: [128, 128], numClasses: classes },
    train: {
      epochs: P.epochs,
      batchSize: P.batchSize,
      optimizer: { kind: 'adam', lr: 0.001 },
      mixup: { alpha },
      seed,
    },
  };
}

/** Notebook 4: ERM and mixup on each set and seed; a run's group is its set. */
export function uciRuns(P: UciParams): WantedRun[] {
  const unknown = P.sets.filter((s) => !(UCI_DATASETS as readonly string[]).includes(s));
  if (unknown.length)
    throw new Error(`unknown UCI set(s) ${unknown.join(', ')}: choose from ${UCI_DATASETS.join(', ')}`);
  return (P.sets as UciName[]).flatMap((name) =>
    methodRuns(P.seeds, P.alpha, (alpha, seed) => uciSpec(P, name, alpha, seed), name),
  );
}

/** Each trained run's last-epoch test error (the models are disposed of). */
export function uciResults(trained: (WantedRun & { method: UciRun['method']; run: CachedRun })[]): UciRun[] {
  return trained.map(({ group, method, seed, run }) => {
    run.model.dispose();
    return { set: group, method, seed, error: 100 * lastTestError(run.history) };
  });
}
