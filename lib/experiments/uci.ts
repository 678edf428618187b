/**
 * Notebook 4's runs (the paper's Table 5): the paper's MLP (two hidden layers of 128 ReLU units, Adam, batch 16,
 * 10 epochs) with ERM and with mixup on each UCI set, a seeded train / test split per seed. Beside mixup at one fixed
 * α, the paper's own choice: α from a grid per set, chosen on a validation split carved from the training rows. Every
 * candidate is a run of its own (scored on the validation rows), and so is mixup at every α of the grid on the whole
 * training split (scored on the test rows): the chosen α's test error is then one of those runs, and the pool and the
 * queue see every run up front. Each of this is run for every feature scaling asked for.
 */
import { UCI_DATASETS, UCI_SCALINGS, UCI_SHAPES, UciName, UciScaling } from '../data/uci';
import type { CachedRun, RunSpec } from '../runs/cache';
import { lastTestError } from '../train/history';
import type { EpochRecord } from '../train/loop';
import { paperLabel, paperMethodAt } from '../methods';
import type { WantedRun } from './jobs';
import { BaseParams, Defaults, profileTable } from './profiles';

export interface UciParams extends BaseParams {
  sets: string[];
  epochs: number;
  /** The fixed α every set is also run at. */
  alpha: number;
  /** The grid α is chosen from per set and seed (the paper's: 1, 2, 4, 8, 16). */
  alphas: number[];
  /** The fraction of the training rows held out to choose α on. */
  validationFraction: number;
  /** 'standard' (training-row statistics) and / or 'raw' features. */
  scalings: string[];
  batchSize: number;
  testFraction: number;
}

const QUICK: UciParams = {
  seeds: [1, 2, 3],
  sets: [...UCI_DATASETS],
  epochs: 10,
  alpha: 1,
  alphas: [1, 2, 4, 8, 16],
  validationFraction: 0.2,
  scalings: [...UCI_SCALINGS],
  batchSize: 16,
  testFraction: 0.2,
};

/** These sets are small already and the paper's protocol is 10 epochs: lowdata keeps the quick settings. */
export const UCI_DEFAULTS: Defaults<UciParams> = {
  base: QUICK,
  choices: { sets: UCI_DATASETS, scalings: UCI_SCALINGS },
  profiles: {
    smoke: { seeds: [1], sets: ['iris', 'spambase'], epochs: 2, alphas: [1, 4] },
    paper: { seeds: [1, 2, 3, 4, 5] },
  },
};
export const UCI_PROFILES = profileTable(UCI_DEFAULTS);

/** What a run's error was measured on: the test rows, or the validation rows α is chosen on. */
export type UciScored = 'test' | 'validation';

/** One finished run's last-epoch error, in %, ours or the reference's. */
export interface UciRun {
  set: string;
  scaling: UciScaling;
  scored: UciScored;
  /** 0: ERM. */
  alpha: number;
  seed: number;
  error: number;
}

/** A UCI run: the paper's MLP on one set's seeded split (the split seed is the run's), at α (0: ERM). */
export function uciSpec(
  P: UciParams,
  name: UciName,
  alpha: number,
  seed: number,
  how: { scaling?: UciScaling; scored?: UciScored } = {},
): RunSpec {
  const { inputs, classes } = UCI_SHAPES[name];
  return {
    // Standardised test-scored runs name neither option: they keep the keys they had before either existed.
    data: {
      set: `uci-${name}`,
      testFraction: P.testFraction,
      splitSeed: seed,
      ...(how.scaling === 'raw' ? { scaling: 'raw' } : {}),
      ...(how.scored === 'validation' ? { validation: P.validationFraction } : {}),
    },
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

/** The α of every mixup run on the test rows: the fixed one and the grid, each once, in order. */
export const testAlphas = (P: UciParams): number[] => [...new Set([P.alpha, ...P.alphas])].sort((a, b) => a - b);

/**
 * Notebook 4: per set, scaling and seed, ERM and mixup at every α on the test rows, and mixup at every α of the grid
 * on the validation rows. A run's group is its set; its scaling, α and rows are its spec's (`uciResults` reads them).
 */
export function uciRuns(P: UciParams): WantedRun[] {
  const unknown = P.sets.filter((s) => !(UCI_DATASETS as readonly string[]).includes(s));
  if (unknown.length)
    throw new Error(`unknown UCI set(s) ${unknown.join(', ')}: choose from ${UCI_DATASETS.join(', ')}`);
  if (P.alphas.some((a) => !(a > 0)))
    throw new Error(`alphas [${P.alphas.join(', ')}]: every α of the grid must be > 0 (ERM is run anyway)`);
  const out: WantedRun[] = [];
  for (const name of P.sets as UciName[])
    for (const scaling of P.scalings as UciScaling[])
      for (const seed of P.seeds) {
        const candidates: [number, UciScored][] = [
          [0, 'test'],
          ...testAlphas(P).map((a): [number, UciScored] => [a, 'test']),
          ...P.alphas.map((a): [number, UciScored] => [a, 'validation']),
        ];
        for (const [alpha, scored] of candidates)
          out.push({
            method: paperMethodAt(alpha).name,
            group: name,
            seed,
            label: `${name}, ${scaling}, ${paperLabel(alpha)}${scored === 'validation' ? ' on validation' : ''}, seed ${seed}`,
            ...(scored === 'validation' ? { scoredOn: 'validation' } : {}),
            job: uciSpec(P, name, alpha, seed, { scaling, scored }),
          });
      }
  return out;
}

/** What a wanted run is, read from its spec: its set, scaling, rows scored, α and seed (a UciRun without its error). */
export function uciConfig({ group, seed, job }: WantedRun): Omit<UciRun, 'error'> {
  return {
    set: group,
    scaling: job.data.scaling === 'raw' ? 'raw' : 'standard',
    scored: job.data.validation === undefined ? 'test' : 'validation',
    alpha: job.train.mixup.alpha,
    seed,
  };
}

/** A finished run's last-epoch error on the rows it was scored on, named by its wanted run. */
export function uciRun(w: WantedRun, history: EpochRecord[]): UciRun {
  return { ...uciConfig(w), error: 100 * lastTestError(history) };
}

/** Each trained run's `uciRun` (the models are disposed of). */
export function uciResults(trained: (WantedRun & { run: CachedRun })[]): UciRun[] {
  return trained.map((t) => {
    t.run.model.dispose();
    return uciRun(t, t.run.history);
  });
}

/** One set, scaling and seed: ERM, mixup at the fixed α, the α chosen on validation and mixup's test error there. */
export interface UciOutcome {
  set: string;
  scaling: UciScaling;
  seed: number;
  erm: number | null;
  fixed: number | null;
  chosenAlpha: number | null;
  chosen: number | null;
}

/**
 * The α with the lowest validation error; a tie goes to the smaller α (the milder regulariser). Null when no
 * candidate was run.
 */
export function chooseAlpha(validation: { alpha: number; error: number }[]): number | null {
  let best: { alpha: number; error: number } | null = null;
  for (const c of validation)
    if (!best || c.error < best.error || (c.error === best.error && c.alpha < best.alpha)) best = c;
  return best ? best.alpha : null;
}

/** The paper's protocol read from runs (ours or the reference's, the same rule): per set, scaling and seed. */
export function uciOutcomes(runs: UciRun[], fixedAlpha: number): UciOutcome[] {
  const keys = new Map<string, UciRun>();
  for (const r of runs) keys.set(`${r.set}|${r.scaling}|${r.seed}`, r);
  return [...keys.values()].map(({ set, scaling, seed }) => {
    const mine = runs.filter((r) => r.set === set && r.scaling === scaling && r.seed === seed);
    const test = (alpha: number) => mine.find((r) => r.scored === 'test' && r.alpha === alpha)?.error ?? null;
    const chosenAlpha = chooseAlpha(mine.filter((r) => r.scored === 'validation'));
    return {
      set,
      scaling,
      seed,
      erm: test(0),
      fixed: test(fixedAlpha),
      chosenAlpha,
      chosen: chosenAlpha === null ? null : test(chosenAlpha),
    };
  });
}
