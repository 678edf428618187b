/**
 * Beyond the paper: is a mixup network's confidence more honest than ERM's? Thulasidasan et al. (NeurIPS 2019) found
 * mixup-trained CIFAR networks far better calibrated (a lower expected calibration error) and less sure of inputs of
 * no class. This compares ERM and mixup on one protocol, ours over seeds beside the PyTorch reference's models
 * rescored with the same bins (tools/reference/calibration.py), and states the finding from Welch's test on the seeds.
 */
import type { Calibration, ReliabilityBin } from '../eval/calibration';
import { OOD_KEYS } from '../eval/ood';
import type { Row } from '../charts/specs';
import type { CifarParams } from '../experiments/cifar';
import { OodRecord, ReferenceRun, referenceRunsFor } from '../reference/runs';
import type { RunResult } from '../runs/cache';
import type { Effect } from '../stats';
import { lastCalibration, lastTestEce } from '../train/history';
import {
  claimWords,
  referenceSeedsWords,
  compared,
  effectBetween,
  lowers,
  meanOf,
  OurRun,
  PerSeed,
  perSeed,
  plural,
  seedsOf,
  spreadCell,
  StripRow,
  stripRows,
  Verdict,
  verdictWords,
} from './common';
import { methodAlpha, methodLabel, METHODS, PAPER_METHODS } from '../methods';

/** Our run's out-of-distribution record (lib/experiments/cifar's last-epoch extras), or null before they existed. */
export function ourOod(run: RunResult): OodRecord | null {
  const x = run.history.at(-1)?.extra ?? {};
  const get = (set: keyof typeof OOD_KEYS) =>
    typeof x[OOD_KEYS[set].confidence] === 'number'
      ? { meanConfidence: x[OOD_KEYS[set].confidence], over90: x[OOD_KEYS[set].over90] }
      : null;
  const noise = get('noise'),
    shuffled = get('shuffled');
  return noise && shuffled ? { noise, shuffled } : null;
}

/** One side's calibration of one method, run by run: ours from run histories, the reference's from its rescored models. */
type Side = { seed: number; calibration: Calibration | null; ood: OodRecord | null }[];

type Measure = { name: string; of: (c: Calibration | null, o: OodRecord | null) => number | null | undefined };

/** The calibration table's measures beside the ECE, in percent (NLL in nats), each a pick from a calibration record. */
const CALIBRATION_MEASURES: Measure[] = [
  { name: 'MCE %', of: (c) => pctOf(c?.mce) },
  { name: 'NLL (nats)', of: (c) => c?.nll },
  { name: 'confidence when right %', of: (c) => pctOf(c?.confidenceCorrect) },
  { name: 'confidence when wrong %', of: (c) => pctOf(c?.confidenceWrong) },
];

/** The out-of-distribution table's measures, in percent, each a pick from an OOD record. */
const OOD_MEASURES: Measure[] = [
  { name: 'noise: mean confidence %', of: (_, o) => pctOf(o?.noise.meanConfidence) },
  { name: 'noise: > 0.9 sure %', of: (_, o) => pctOf(o?.noise.over90) },
  { name: 'shuffled images: mean confidence %', of: (_, o) => pctOf(o?.shuffled.meanConfidence) },
  { name: 'shuffled images: > 0.9 sure %', of: (_, o) => pctOf(o?.shuffled.over90) },
];

export interface CalibrationFinding {
  /** Last-epoch ECE % per seed, ours and the reference's. */
  erm: { ours: PerSeed; reference: PerSeed };
  mixup: { ours: PerSeed; reference: PerSeed };
  /** Mixup against ERM over seeds (Welch's test), ours and the reference's. */
  effect: { ours: Effect | null; reference: Effect | null };
  /** Thulasidasan et al.'s claim: mixup lowers the ECE. */
  lowersEce: Verdict;
  sentence: string;
}

export interface CalibrationComparison {
  /** Per method and side: the seeds, ECE, MCE, NLL and the confidence when right and when wrong. */
  rows: Record<string, string | number | null>[];
  /** Per method and side: the confidence on uniform noise and on pixel-shuffled test images. */
  oodRows: Record<string, string | number | null>[];
  strip: StripRow[];
  /** The reliability diagram: per method, side and non-empty bin, pooled over the seeds that recorded it. */
  reliability: Row[];
  finding: CalibrationFinding;
}

/**
 * ERM against mixup (lib/methods' names) at label noise `noise`: `ours` our runs, `reference` the reference's
 * runs of the protocol, `alpha` mixup's α (the reference's runs are matched by it).
 */
export function calibrationComparison(
  ours: OurRun[],
  reference: ReferenceRun[],
  alpha: number,
  noise = 0,
): CalibrationComparison {
  const eceOf = (side: Side): PerSeed => valuesOf(side, (c) => pctOf(c?.ece));
  const methods = PAPER_METHODS.map((name) => {
    const entry = METHODS[name];
    return {
      method: entry.name,
      alpha: methodAlpha(entry, alpha),
      label: methodLabel(entry, methodAlpha(entry, alpha)),
    };
  }).map((m) => {
    const mine = ours.filter((r) => r.method === m.method);
    const ref = reference.filter((r) => r.alpha === m.alpha && r.noise === noise && !r.layers);
    // Ours: every run records testEce; runs from before 2026-12-03 lack the rest of the record.
    const oursSide: Side = mine.map((r) => ({
      seed: r.seed,
      calibration: lastCalibration(r.run.history),
      ood: ourOod(r.run),
    }));
    return {
      ...m,
      sides: [
        { side: 'mixup-lab', runs: oursSide, ece: perSeed(mine, (r) => pctOf(lastTestEce(r.history))) },
        {
          side: 'PyTorch reference',
          runs: ref.map((r) => ({ seed: r.seed, calibration: r.calibration, ood: r.calibration?.ood ?? null })),
          ece: eceOf(ref.map((r) => ({ seed: r.seed, calibration: r.calibration, ood: null }))),
        },
      ],
    };
  });
  // A side with runs from before these measures existed: 'not recorded', not 'not run'.
  const cell = (v: PerSeed, runs: Side) => (v.size || !runs.length ? spreadCell(v) : 'not recorded');
  const tableOf = (measures: Measure[], withEce: boolean) =>
    methods.flatMap((m) =>
      m.sides.map((s) => ({
        method: m.label,
        side: s.side,
        seeds: s.ece.size ? [...s.ece.keys()].join(', ') : seedsOf(s.runs),
        ...(withEce ? { 'ECE %': cell(s.ece, s.runs) } : {}),
        ...Object.fromEntries(measures.map((x) => [x.name, cell(valuesOf(s.runs, x.of), s.runs)])),
      })),
    );
  const rows = tableOf(CALIBRATION_MEASURES, true);
  const oodRows = tableOf(OOD_MEASURES, false);
  const reliability = methods.flatMap((m) =>
    m.sides.flatMap((s) =>
      pooledBins(s.runs.map((r) => r.calibration)).map((b) => ({ method: m.label, side: s.side, ...b })),
    ),
  );
  const [ermM, mixM] = methods;
  const erm = { ours: ermM.sides[0].ece, reference: ermM.sides[1].ece };
  const mixup = { ours: mixM.sides[0].ece, reference: mixM.sides[1].ece };
  const effect = {
    ours: effectBetween(erm.ours, mixup.ours),
    reference: effectBetween(erm.reference, mixup.reference),
  };
  const lowersEce = { ours: lowers(effect.ours), reference: lowers(effect.reference) };
  const n = (m: PerSeed) => plural(m.size, 'seed');
  const sureOfShuffled = (m: (typeof methods)[number]) =>
    meanOf(valuesOf(m.sides[0].runs, (_, o) => pctOf(o?.shuffled.over90)));
  const where = noise > 0 ? ` with ${Math.round(100 * noise)} % of the training labels redrawn` : '';
  // Reference runs without calibration lines: the sentence says they were not rescored, not that none were run.
  const unscored = methods.flatMap((m) => m.sides[1].runs).filter((r) => r.calibration === null).length;
  const sentence =
    `Over ${n(erm.ours)} of ERM and ${n(mixup.ours)} of mixup in ours (${referenceSeedsWords(erm.reference, mixup.reference, unscored ? 'no reference seed rescored' : undefined)})${where}, mixup's expected calibration error after the last epoch is ` +
    `${compared(effect.ours, "ERM's")} in ours (ERM ${fixed(meanOf(erm.ours))} %, mixup ${fixed(meanOf(mixup.ours))} %) ` +
    (effect.reference === null && unscored
      ? `while the PyTorch reference's runs of this protocol (${plural(unscored, 'run')}) predate its calibration rescoring ` +
        `(tools/reference/calibration-seeds.sh). Thulasidasan et al.'s finding (mixup lowers the ECE) ` +
        `${claimWords(lowersEce.ours)} in ours.`
      : `and ${compared(effect.reference, "ERM's")} in the PyTorch reference. Thulasidasan et al.'s finding (mixup ` +
        `lowers the ECE) ${verdictWords(lowersEce)}.`) +
    (Number.isFinite(sureOfShuffled(ermM)) && Number.isFinite(sureOfShuffled(mixM))
      ? ` On pixel-shuffled test images, which show no class, our ERM networks are more than 90 % sure of one on ` +
        `${fixed(sureOfShuffled(ermM))} % of them and mixup's on ${fixed(sureOfShuffled(mixM))} %.`
      : '');
  return {
    rows,
    oodRows,
    strip: [...stripRows(ermM.label, erm.ours, erm.reference), ...stripRows(mixM.label, mixup.ours, mixup.reference)],
    reliability,
    finding: { erm, mixup, effect, lowersEce, sentence },
  };
}

/** `of` per seed over the runs that recorded it (reruns of a seed averaged, as perSeed does). */
function valuesOf(side: Side, of: Measure['of']): PerSeed {
  const sums = new Map<number, number[]>();
  for (const r of side) {
    const v = of(r.calibration, r.ood);
    if (typeof v === 'number' && Number.isFinite(v)) sums.set(r.seed, [...(sums.get(r.seed) ?? []), v]);
  }
  return new Map(
    [...sums].sort(([a], [b]) => a - b).map(([seed, vs]) => [seed, vs.reduce((a, b) => a + b, 0) / vs.length]),
  );
}

/**
 * The reliability diagram's bins pooled over runs: counts summed, confidence and accuracy weighted by count (the
 * diagram one would draw from all their predictions together). Empty bins are left out.
 */
export function pooledBins(
  records: (Calibration | null)[],
): { bin: number; confidence: number; accuracy: number; count: number; share: number }[] {
  const have = records.filter((c): c is Calibration => c !== null);
  if (!have.length) return [];
  const bins = have[0].bins;
  if (have.some((c) => c.bins !== bins)) throw new Error('pooledBins: the runs were binned differently');
  const total = have.reduce((s, c) => s + c.n, 0);
  const out = [];
  for (let b = 0; b < bins; b++) {
    const rows: ReliabilityBin[] = have.map((c) => c.reliability[b]).filter((r) => r.count > 0);
    const count = rows.reduce((s, r) => s + r.count, 0);
    if (!count) continue;
    const wmean = (k: 'confidence' | 'accuracy') => rows.reduce((s, r) => s + r.count * r[k]!, 0) / count;
    out.push({
      bin: b,
      confidence: 100 * wmean('confidence'),
      accuracy: 100 * wmean('accuracy'),
      count,
      share: (100 * count) / total,
    });
  }
  return out;
}

const pctOf = (f: number | null | undefined) => (typeof f === 'number' ? 100 * f : null);
const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/**
 * Notebook 3's calibration: ERM against mixup in each group of runs (a noise level at a protocol), beside the
 * reference's runs of that protocol, and one seed strip of ECE over all groups. Memorised random labels should leave
 * ERM sure of wrong answers.
 */
export function calibrationByGroup(
  ours: OurRun[],
  groups: { label: string; noise: number; protocol: CifarParams }[],
  alpha: number,
  reference: (p: CifarParams) => ReferenceRun[] = referenceRunsFor,
): { groups: { group: string; noise: number; comparison: CalibrationComparison }[]; strip: StripRow[] } {
  const out = groups.map((g) => ({
    group: g.label,
    noise: g.noise,
    comparison: calibrationComparison(
      ours.filter((r) => r.group === g.label),
      reference(g.protocol),
      alpha,
      g.noise,
    ),
  }));
  return {
    groups: out,
    strip: out.flatMap((g) =>
      g.comparison.strip.map((r) => ({ ...r, group: `${r.group} · ${Math.round(100 * g.noise)}% noise` })),
    ),
  };
}
