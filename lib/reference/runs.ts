/**
 * The PyTorch reference (tools/reference/train.py) on the low-data protocol, over seeds: the spread our
 * lowdata runs are compared with. Seed 1 is the GPU run transcribed in the facts file (PAPER.lowdataReference);
 * further seeds are the script's own JSON lines, kept in results/reference/*.jsonl (tools/reference/seeds.sh writes
 * them; the file says which machine in its runs' `s` timings and in results/reference/README.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Calibration } from '../eval/calibration';
import { PAPER } from './paper';
import { PUBLISHED_DIR } from '../runs/published';
import { Spread, spreadOf } from '../stats';

export const REFERENCE_DIR = path.join(PUBLISHED_DIR, 'reference');

/** One finished reference run; errors in percent, as the script writes them. */
export interface ReferenceRun {
  seed: number;
  alpha: number;
  noise: number;
  /** Where it mixed (train.py's LAYERS, Manifold Mixup): absent for the inputs, as mixup and ERM. */
  layers?: number[];
  /** Test error after the last epoch. */
  last: number;
  /** Lowest test error over the scored epochs (every epoch on the GPU run, every EVAL_EVERY-th in the files). */
  best: number;
  /** Under label noise: training error on the redrawn examples against their noisy labels, last epoch. */
  corruptedTrain: number | null;
  /** White-box FGSM error by ε·255, as tools/reference/train.py attacks: the sign of its float32 loss gradient. */
  fgsmWhite: Record<number, number>;
  /**
   * White-box FGSM error by ε·255 along the exact gradient's sign (tools/reference/fgsm.py rescoring the saved model, as
   * lib/attacks/fgsm.ts attacks; null where the model was not kept). On confident ERM models the float32 attack
   * above is partly steered by rounding and understates the error: compare our numbers with these.
   */
  fgsmWhiteExact: Record<number, number> | null;
  /** Black-box FGSM error by ε·255, examples made on that seed's second ERM; null when not run. */
  fgsmBlack: Record<number, number> | null;
  /**
   * tools/reference/calibration.py on the saved model (fractions, as lib/eval/calibration), with the top-class
   * confidence on noise and on pixel-shuffled test images; null where it was not rescored.
   */
  calibration: ReferenceCalibration | null;
  /** Test error % at the scored epochs (1-based), for the learning-curve charts. */
  curve: { epoch: number; testError: number }[];
  /** Where the run comes from: the facts file or a results/reference file. */
  source: string;
}

/** Out-of-distribution confidence of one model: the mean top-class probability and the share above 0.9, per input set. */
export interface OodRecord {
  noise: { meanConfidence: number; over90: number };
  shuffled: { meanConfidence: number; over90: number };
}

export type ReferenceCalibration = Calibration & { ood: OodRecord };

/** A calibration line of tools/reference/calibration.py as the record lib/eval/calibration makes. */
function calibrationOf(l: Line): ReferenceCalibration {
  const { calibrated: _, model: __, ...rest } = l;
  const num = (k: string) => Number(l[k]);
  return {
    ...(rest as unknown as Calibration),
    ood: {
      noise: { meanConfidence: num('ood_noise_confidence'), over90: num('ood_noise_over90') },
      shuffled: { meanConfidence: num('ood_shuffled_confidence'), over90: num('ood_shuffled_over90') },
    },
  };
}

/** The lowdata profile's protocol, the one the facts file's seed-1 run used. */
export const LOWDATA_PROTOCOL: Protocol = { n: 2500, width: 16, epochs: 240 };

const EPS = [1, 2, 4, 8];

function seedOneFromFacts(): ReferenceRun[] {
  const r = PAPER.lowdataReference;
  const curve = (k: keyof typeof r.curves) =>
    k === 'epochs' ? [] : r.curves[k].map((testError, i) => ({ epoch: r.curves.epochs[i], testError }));
  const white = (k: keyof typeof r.clean) => Object.fromEntries(r.fgsmWhite.map((row) => [row.eps, row[k]]));
  const runs: ReferenceRun[] = [
    {
      seed: 1,
      alpha: 0,
      noise: 0,
      ...r.clean.erm,
      corruptedTrain: null,
      fgsmWhite: white('erm'),
      fgsmWhiteExact: null,
      fgsmBlack: null,
      calibration: null,
      curve: curve('erm'),
      source: 'facts file (GPU)',
    },
    {
      seed: 1,
      alpha: 1,
      noise: 0,
      ...r.clean.mixup,
      corruptedTrain: null,
      fgsmWhite: white('mixup'),
      fgsmWhiteExact: null,
      fgsmBlack: null,
      calibration: null,
      curve: curve('mixup'),
      source: 'facts file (GPU)',
    },
  ];
  for (const [noise, v] of Object.entries(r.noisy)) {
    runs.push({
      seed: 1,
      alpha: 0,
      noise: Number(noise),
      best: v.erm.best,
      last: v.erm.last,
      corruptedTrain: v.erm.corruptedTrain,
      fgsmWhite: {},
      fgsmWhiteExact: null,
      fgsmBlack: null,
      calibration: null,
      curve: noise === '0.5' ? curve('ermNoise50') : [],
      source: 'facts file (GPU)',
    });
    runs.push({
      seed: 1,
      alpha: 8,
      noise: Number(noise),
      best: v.mixup.best,
      last: v.mixup.last,
      corruptedTrain: v.mixup.corruptedTrain,
      fgsmWhite: {},
      fgsmWhiteExact: null,
      fgsmBlack: null,
      calibration: null,
      curve: noise === '0.5' ? curve('mixupNoise50') : [],
      source: 'facts file (GPU)',
    });
  }
  return runs;
}

export interface Line {
  [k: string]: unknown;
}

/** The records of one of the reference tools' JSON-lines files (`script` names the tool, for the error). */
export function readJsonLines(file: string, script: string): Line[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(
          `${file}:${i + 1} is not JSON: a reference file holds ${script}'s JSON lines, one record per line`,
        );
      }
    });
}

/** Finished runs of one JSON-lines file of tools/reference/train.py at the given protocol (unfinished runs are left out). */
export function readReferenceFile(file: string, protocol: Protocol = LOWDATA_PROTOCOL): ReferenceRun[] {
  const lines = readJsonLines(file, 'tools/reference/train.py');
  const same = (l: Line) =>
    sameProtocol({ n: Number(l.n), width: Number(l.width), epochs: Number(l.epochs) }, protocol);
  const byName = new Map<string, Line[]>();
  for (const l of lines)
    if (typeof l.name === 'string' && same(l)) byName.set(l.name, [...(byName.get(l.name) ?? []), l]);
  // Black-box lines name their target model file (<run name>.pt).
  const black = new Map<string, Record<number, number>>();
  for (const l of lines)
    if (typeof l.target === 'string')
      black.set(l.target.replace(/\.pt$/, ''), Object.fromEntries(EPS.map((e) => [e, Number(l[`fgsm_black_${e}`])])));
  // tools/reference/fgsm.py's lines name the run whose saved model they rescored.
  const exact = new Map<string, Record<number, number>>();
  for (const l of lines)
    if (typeof l.rescored === 'string')
      exact.set(l.rescored, Object.fromEntries(EPS.map((e) => [e, Number(l[`fgsm_exact_white_${e}`])])));
  // tools/reference/calibration.py's lines, likewise by run name.
  const calibrated = new Map<string, ReferenceCalibration>();
  for (const l of lines) if (typeof l.calibrated === 'string') calibrated.set(l.calibrated, calibrationOf(l));
  const runs: ReferenceRun[] = [];
  for (const [name, recs] of byName) {
    const fin = recs.find((l) => l.final === true);
    if (!fin) continue;
    const scored = recs.map((l) => Number(l.test_err));
    const lastEpoch = recs.filter((l) => l.final !== true).at(-1);
    runs.push({
      seed: Number(fin.seed),
      alpha: Number(fin.alpha),
      noise: Number(fin.noise),
      ...(Array.isArray(fin.layers) && fin.layers.join() !== '0' ? { layers: fin.layers.map(Number) } : {}),
      last: Number(fin.test_err),
      best: Math.min(...scored),
      corruptedTrain: Number(fin.noise) > 0 && lastEpoch ? Number(lastEpoch.train_err_corrupted_vs_noisy) : null,
      fgsmWhite: Object.fromEntries(EPS.map((e) => [e, Number(fin[`fgsm_white_${e}`])])),
      fgsmWhiteExact: exact.get(name) ?? null,
      fgsmBlack: black.get(name) ?? null,
      calibration: calibrated.get(name) ?? null,
      source: path.relative(PUBLISHED_DIR, file),
      curve: recs
        .filter((l) => l.final !== true)
        .map((l) => ({ epoch: Number(l.epoch) + 1, testError: Number(l.test_err) })),
    });
  }
  return runs;
}

export interface Protocol {
  n: number;
  width: number;
  epochs: number;
}

function sameProtocol(a: Protocol, b: Protocol): boolean {
  return a.n === b.n && a.width === b.width && a.epochs === b.epochs;
}

/**
 * Every reference run at a protocol (first n images, width, epochs): the results/reference files' runs, and for the
 * lowdata protocol seed 1 from the facts file too.
 */
export function referenceRuns(protocol: Protocol, dir = REFERENCE_DIR): ReferenceRun[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  const runs = [
    ...(sameProtocol(protocol, LOWDATA_PROTOCOL) ? seedOneFromFacts() : []),
    ...files.flatMap((f) => readReferenceFile(f, protocol)),
  ];
  const seen = new Set<string>();
  for (const r of runs) {
    const k = `${r.alpha}/${r.noise}/${r.seed}/${r.layers ?? ''}`;
    if (seen.has(k))
      throw new Error(
        `two reference runs of α = ${r.alpha}, noise ${r.noise}, seed ${r.seed}${r.layers ? `, layers ${r.layers}` : ''} ` +
          `(${r.source}): keep one of them in ${dir}`,
      );
    seen.add(k);
  }
  return runs;
}

/** The reference runs at a notebook's CIFAR parameters (none when the reference was not run at them). */
export function referenceRunsFor(
  p: { trainLimit: number; width: number; epochs: number },
  dir = REFERENCE_DIR,
): ReferenceRun[] {
  return referenceRuns({ n: p.trainLimit, width: p.width, epochs: p.epochs }, dir);
}

/** Every reference run at the lowdata protocol. */
export function lowdataReferenceRuns(dir = REFERENCE_DIR): ReferenceRun[] {
  return referenceRuns(LOWDATA_PROTOCOL, dir);
}

/** Learning-curve rows (run, epoch, testError in %) of the reference runs of one configuration, for learningCurves. */
export function referenceHistoryRows(
  runs: ReferenceRun[],
  alpha: number,
  noise: number,
  label: string,
  /** Where the runs mixed (Manifold Mixup's layers); absent: the inputs. */
  layers?: readonly number[],
): { run: string; epoch: number; testError: number }[] {
  return runs
    .filter((r) => r.alpha === alpha && r.noise === noise && (r.layers ?? [0]).join() === (layers ?? [0]).join())
    .flatMap((r) =>
      r.curve.map((p) => ({ run: `${label} s${r.seed} (PyTorch)`, epoch: p.epoch, testError: p.testError })),
    );
}

/** Mean, sample standard deviation and range of one measure over the reference's seeds (null when none has it). */
export function referenceSpread(
  runs: ReferenceRun[],
  alpha: number,
  noise: number,
  pick: (r: ReferenceRun) => number | null | undefined,
): Spread | null {
  return spreadOf(
    runs.filter((r) => r.alpha === alpha && r.noise === noise && !r.layers).map((r) => ({ seed: r.seed, v: pick(r) })),
  );
}

/**
 * Per seed, `pick` of the run (alpha b, noise) minus `pick` of the run (alpha a, noise): e.g. mixup's white-box FGSM
 * error minus ERM's of the same seed, whose spread says how large the reference's gap is and how much it varies.
 */
export function referenceGapSpread(
  runs: ReferenceRun[],
  a: number,
  b: number,
  noise: number,
  pick: (r: ReferenceRun) => number | null | undefined,
): Spread | null {
  return spreadOf(
    runs
      .filter((r) => r.alpha === b && r.noise === noise && !r.layers)
      .map((rb) => {
        const ra = runs.find((r) => r.alpha === a && r.noise === noise && !r.layers && r.seed === rb.seed);
        const va = ra ? pick(ra) : undefined,
          vb = pick(rb);
        return { seed: rb.seed, v: typeof va === 'number' && typeof vb === 'number' ? vb - va : null };
      }),
  );
}
