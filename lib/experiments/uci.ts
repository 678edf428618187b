/**
 * Notebook 4's runs (the paper's Table 5): the paper's MLP (two hidden layers of 128 ReLU units, Adam, batch 16,
 * 10 epochs) with ERM and with mixup on each UCI set, a seeded train / test split per seed.
 */
import { loadUci, UCI_DATASETS, UciName } from '../data/uci';
import { stream } from '../random';
import { cachedRun } from '../runs/cache';
import type { TrainCallbacks } from '../train/loop';
import { lastTestError } from '../train/history';
import type { BaseParams, Profile } from './profiles';

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
export const UCI_PROFILES: Record<Profile, UciParams> = {
  smoke: { ...QUICK, seeds: [1], sets: ['iris', 'spambase'], epochs: 2 },
  quick: QUICK,
  lowdata: QUICK,
  paper: { ...QUICK, seeds: [1, 2, 3, 4, 5] },
};

/** One finished run's last-epoch test error, in %. */
export interface UciRun {
  set: string;
  method: 'ERM' | 'mixup';
  seed: number;
  error: number;
}

export async function uciRuns(P: UciParams, progress?: (label: string) => TrainCallbacks): Promise<UciRun[]> {
  const unknown = P.sets.filter((s) => !(UCI_DATASETS as readonly string[]).includes(s));
  if (unknown.length)
    throw new Error(`unknown UCI set(s) ${unknown.join(', ')}: choose from ${UCI_DATASETS.join(', ')}`);
  const out: UciRun[] = [];
  for (const name of P.sets as UciName[])
    for (const seed of P.seeds) {
      const split = await loadUci(name, stream(seed, 'split'), { testFraction: P.testFraction });
      for (const [method, alpha] of [
        ['ERM', 0],
        ['mixup', P.alpha],
      ] as const) {
        const run = await cachedRun(
          {
            data: { set: `uci-${name}`, testFraction: P.testFraction, splitSeed: seed },
            model: { kind: 'mlp', inputs: split.train.dim, hidden: [128, 128], numClasses: split.classes.length },
            train: {
              epochs: P.epochs,
              batchSize: P.batchSize,
              optimizer: { kind: 'adam', lr: 0.001 },
              mixup: { alpha },
              seed,
            },
          },
          split,
          progress?.(`${name}, ${method}, seed ${seed}`),
        );
        out.push({ set: name, method, seed, error: 100 * lastTestError(run.history) });
        run.model.dispose();
      }
    }
  return out;
}
