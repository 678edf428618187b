/**
 * The six UCI data sets of the paper's tabular experiment (data/uci/, see its README), read with danfojs.
 * Categorical (string) feature columns become one-hot columns (danfojs getDummies); then, on a seeded
 * train/test split, missing values are filled with the training mean and every column is standardised
 * with training statistics only (or left raw: the paper does not say which it did, and notebook 4 measures both).
 * Those two steps are written here over typed arrays because danfojs's scalers turn constant columns (arcene has
 * many) into NaN.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataFrame } from 'danfojs-node';
import type { RandomStream } from '../random';
import { PROJECT_ROOT } from './paths';
import { TabularData } from './dataset';

export const UCI_DATASETS = ['abalone', 'arcene', 'arrhythmia', 'iris', 'phishing', 'spambase'] as const;
export type UciName = (typeof UCI_DATASETS)[number];
export const UCI_DIR = path.join(PROJECT_ROOT, 'data', 'uci');
/**
 * Each set's rows, features after one-hot encoding (an MLP's inputs) and classes: what a run's spec needs before any
 * file is read (a manifest, the queue). test/data.test.ts checks them against `loadUci`.
 */
export const UCI_SHAPES: Record<UciName, { rows: number; inputs: number; classes: number }> = {
  abalone: { rows: 4177, inputs: 10, classes: 28 },
  arcene: { rows: 200, inputs: 10000, classes: 2 },
  arrhythmia: { rows: 452, inputs: 279, classes: 13 },
  iris: { rows: 150, inputs: 4, classes: 3 },
  phishing: { rows: 11055, inputs: 30, classes: 2 },
  spambase: { rows: 4601, inputs: 57, classes: 2 },
};
export const UCI_SHA256: Record<UciName, string> = {
  abalone: '1db3db06510260e79e8a82ae9440e8dacdd5dd7d532d6c17800e546e7e129807',
  arcene: '988d58e8658e49de0b1b0887c1aec78ea8a80e2928f86517c2f3258db7853f94',
  arrhythmia: 'd2d3266fb5caa1d4bd9f35bcbd435eceb93405e15d091f1d8af9db3a7ee1eaae',
  iris: 'd02c3919eb2e2e76d1c50b4159aa59dd53a96656c42c918fb830f16a6eef63c4',
  phishing: '0d5b3fdbdd6835ed17f4b648c2465f13c7143373de33809ad551169c9ebc3395',
  spambase: 'c02665b3080ae89f56e455495a1066c1aef80e91ea0e537772865b58683718a1',
};

type Danfo = typeof import('danfojs-node');
let danfo: Danfo | null = null;
/** danfojs-node loads @tensorflow/tfjs-node (the same one, through npm overrides): load it only when needed. */
function dfd(): Danfo {
  danfo ??= require('danfojs-node') as Danfo;
  return danfo;
}

function checkName(name: string): UciName {
  if (!(UCI_DATASETS as readonly string[]).includes(name))
    throw new Error(`unknown UCI data set '${name}': use one of ${UCI_DATASETS.join(', ')}`);
  return name as UciName;
}

/** The raw frame as danfojs reads it, after checking the file is the expected one. */
export async function readUciFrame(name: string, dir = UCI_DIR): Promise<DataFrame> {
  const n = checkName(name);
  const file = path.join(dir, `${n}.csv`);
  if (!fs.existsSync(file))
    throw new Error(`UCI file ${file} is missing: restore data/uci/ from the repository (git checkout data/uci)`);
  if (dir === UCI_DIR) {
    const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (sha !== UCI_SHA256[n])
      throw new Error(
        `UCI file ${file} is not the shipped copy (SHA-256 ${sha.slice(0, 12)}…): git checkout data/uci/${n}.csv`,
      );
  }
  const df = (await dfd().readCSV(file)) as DataFrame;
  if (!df.columns.includes('label'))
    throw new Error(`UCI file ${file} has no 'label' column (the class must be the last column, named label)`);
  return df;
}

export interface UciSplit {
  name: UciName;
  train: TabularData;
  /** The test rows, or the validation rows when `validation` was asked for. */
  test: TabularData;
  classes: string[];
  featureNames: string[];
  /** The frame after one-hot encoding, before splitting and scaling (for display). */
  frame: DataFrame;
  missingFilled: number;
}

/** How features reach the network: standardised with the training rows' mean and deviation, or as the file has them. */
export const UCI_SCALINGS = ['standard', 'raw'] as const;
export type UciScaling = (typeof UCI_SCALINGS)[number];

export interface UciOptions {
  testFraction?: number;
  /** 'standard' by default. Missing values are filled with the training mean either way. */
  scaling?: UciScaling;
  /**
   * A validation split for choosing α: this fraction of the training rows, drawn from `validationRng`, is held out and
   * returned as `test`; the rest is `train`, and the fill and scaling statistics come from that rest only. The test
   * split is never touched, and the same `rng` gives the same test rows with or without it.
   */
  validation?: { fraction: number; rng: RandomStream };
  dir?: string;
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

export async function loadUci(name: string, rng: RandomStream, options: UciOptions = {}): Promise<UciSplit> {
  const testFraction = options.testFraction ?? 0.2;
  const scaling = options.scaling ?? 'standard';
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
  if (!(UCI_SCALINGS as readonly string[]).includes(scaling))
    throw new Error(`unknown UCI scaling '${scaling}': use one of ${UCI_SCALINGS.join(', ')}`);
  const v = options.validation;
  if (v && !(v.fraction > 0 && v.fraction < 1))
    throw new Error(`the validation fraction must be in (0, 1), got ${v.fraction}`);
  const raw = await readUciFrame(name, options.dir);
  const labelValues = (raw.column('label').values as unknown[]).map(String);
  const classes = [...new Set(labelValues)].sort((a, b) => (isNaN(+a) || isNaN(+b) ? a.localeCompare(b) : +a - +b));
  const labels = Int32Array.from(labelValues, (v) => classes.indexOf(v));
  let features = raw.drop({ columns: ['label'] }) as DataFrame;
  const categorical = features.columns.filter((c, i) => features.dtypes[i] === 'string');
  if (categorical.length) features = dfd().getDummies(features, { columns: categorical }) as DataFrame;
  const featureNames = features.columns;
  const rows = features.values as unknown[][];
  const n = rows.length,
    dim = featureNames.length;
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) {
      const v = rows[i][j];
      x[i * dim + j] = isMissing(v) ? NaN : Number(v);
    }
  const perm = rng.permutation(n);
  const nTest = Math.max(1, Math.round(testFraction * n));
  const testIdx = perm.slice(0, nTest);
  let trainIdx = perm.slice(nTest),
    heldIdx = testIdx;
  if (v) {
    // Drawn from its own stream, so the test rows above are the same ones the full-split runs are scored on.
    const order = v.rng.permutation(trainIdx.length);
    const nVal = Math.max(1, Math.round(v.fraction * trainIdx.length));
    heldIdx = order.slice(0, nVal).map((i) => trainIdx[i]);
    trainIdx = order.slice(nVal).map((i) => trainIdx[i]);
  }
  // Statistics of the rows trained on only: mean (for filling) and standard deviation per column.
  const mean = new Float64Array(dim),
    sq = new Float64Array(dim),
    count = new Float64Array(dim);
  for (const i of trainIdx)
    for (let j = 0; j < dim; j++) {
      const v = x[i * dim + j];
      if (!Number.isNaN(v)) {
        mean[j] += v;
        sq[j] += v * v;
        count[j]++;
      }
    }
  const std = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    mean[j] = count[j] ? mean[j] / count[j] : 0;
    const variance = count[j] ? sq[j] / count[j] - mean[j] * mean[j] : 0;
    std[j] = variance > 1e-12 ? Math.sqrt(variance) : 1; // constant columns stay 0 after centring
  }
  let missingFilled = 0;
  for (let k = 0; k < x.length; k++) {
    const j = k % dim;
    if (Number.isNaN(x[k])) {
      x[k] = mean[j];
      missingFilled++;
    }
    if (scaling === 'standard') x[k] = (x[k] - mean[j]) / std[j];
  }
  const all = new TabularData(x, dim, labels, classes.length);
  return {
    name: checkName(name),
    train: all.subset(trainIdx),
    test: all.subset(heldIdx),
    classes,
    featureNames,
    frame: features,
    missingFilled,
  };
}
