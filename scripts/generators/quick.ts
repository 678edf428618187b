/**
 * The quick profile's CIFAR protocol (1,000 images, width 8, 240 epochs): ERM and mixup beside the PyTorch reference
 * at the same protocol, the memorisation runs with their dropout rows (notebook 3), and the ablation (notebook 8).
 */
import { ABLATION_PROFILES } from '../../lib/experiments/ablation';
import { notebookParams } from '../../lib/experiments/profiles';
import {
  ablationRuns,
  ADVERSARIAL_PROFILES,
  corruptedGroups,
  corruptedRuns,
  CORRUPTED_PROFILES,
} from '../../lib/experiments/report-runs';
import { ablationComparison } from '../../lib/findings/ablation';
import { corruptedComparison } from '../../lib/findings/corrupted';
import { ourRuns } from '../../lib/findings/ours';
import { CIFAR_PROFILES } from '../../lib/experiments/cifar';
import { referenceRunsFor } from '../../lib/reference/runs';
import type { RunResult } from '../../lib/runs/cache';
import {
  allPublished,
  bestPct,
  fmt,
  label,
  lastPct,
  perSeed,
  readJson,
  runsOf,
  seedOf,
  spreadCell,
  table,
  unlearntPct,
} from './common';

const P = CIFAR_PROFILES.quick;
const NOISE = 0.5;
/** Notebook 3's mixup α under noise, from its profile table. */
const NOISE_ALPHA = CORRUPTED_PROFILES.quick.alpha;
/** Notebook 5's ε (/255), from its profile table. */
const EPS = ADVERSARIAL_PROFILES.quick.epsilons;

interface FgsmRow {
  attack: string;
  target: string;
  seed: number;
  error: number[];
}

/** Runs of one configuration, reruns of a seed averaged: mean ± sd over seeds. */
const cell = (rs: ReturnType<typeof runsOf>, pick: (r: RunResult) => number) =>
  spreadCell(perSeed(rs, pick), rs.length);

/** Clean, noisy and FGSM rows of the quick protocol, ours beside the reference's (one seed each, so far). */
export function quickTable(): string {
  const ref = referenceRunsFor(P);
  const refOf = (alpha: number, noise: number) => ref.filter((r) => r.alpha === alpha && r.noise === noise);
  const noiseCell = (rs: ReturnType<typeof runsOf>) =>
    rs
      .map((r) => `${fmt(bestPct(r.run), 2)} / ${fmt(lastPct(r.run), 2)}, ${fmt(unlearntPct(r.run), 1)} %`)
      .join('; ') || 'not run';
  const refNoise = (rs: ReturnType<typeof refOf>) =>
    rs.map((r) => `${fmt(r.best, 2)} / ${fmt(r.last, 2)}, ${fmt(r.corruptedTrain ?? NaN, 1)} %`).join('; ') ||
    'not run';
  const refCell = (rs: ReturnType<typeof refOf>) => spreadCell(new Map(rs.map((r) => [r.seed, r.last])));
  const fgsm = readJson<{ rows: FgsmRow[] }>('quick/fgsm-exact.json').rows;
  const ours = (attack: string, target: string) =>
    fgsm
      .filter((r) => r.attack === attack && r.target === target)
      .map((r) => r.error.map((e) => fmt(e, 2)).join(' / '))
      .join('; ') || 'not run';
  const refWhite = (alpha: number) =>
    refOf(alpha, 0)
      .map((r) => EPS.map((e) => fmt((r.fgsmWhiteExact ?? r.fgsmWhite)[e], 2)).join(' / '))
      .join('; ') || 'not run';
  return table(
    ['quick protocol', 'ERM: ours', 'ERM: reference', `mixup α = ${P.alpha}: ours`, 'mixup: reference'],
    [
      [
        'clean test error %, last epoch',
        cell(runsOf(P, 0), lastPct),
        refCell(refOf(0, 0)),
        cell(runsOf(P, P.alpha), lastPct),
        refCell(refOf(P.alpha, 0)),
      ],
      [
        `${NOISE * 100} % noisy labels (mixup α = ${NOISE_ALPHA}): test error % best / last, redrawn labels left unlearnt`,
        noiseCell(runsOf(P, 0, NOISE)),
        refNoise(refOf(0, NOISE)),
        noiseCell(runsOf(P, NOISE_ALPHA, NOISE)),
        refNoise(refOf(NOISE_ALPHA, NOISE)),
      ],
      [
        'white-box FGSM error %, ε = 1 / 2 / 4 / 8 (/255)',
        ours('white', 'ERM'),
        refWhite(0),
        ours('white', 'mixup'),
        refWhite(P.alpha),
      ],
      [
        'black-box FGSM error %, ε = 1 / 2 / 4 / 8 (examples from a second ERM)',
        ours('black', 'ERM'),
        'not run',
        ours('black', 'mixup'),
        'not run',
      ],
    ],
  );
}

/** Every published run of the quick protocol's clean ERM and mixup, by folder and seed. */
export function quickRunsTable(): string {
  const rows = [...runsOf(P, 0), ...runsOf(P, P.alpha)]
    .sort((x, y) => x.folder.localeCompare(y.folder) || seedOf(x) - seedOf(y))
    .map((r) => [
      label(r),
      String(seedOf(r)),
      r.run.spec.train.mixup.alpha ? `mixup α = ${P.alpha}` : 'ERM',
      fmt(lastPct(r.run), 2),
      fmt(r.run.seconds),
      String(r.run.threads ?? '?'),
    ]);
  return table(
    ['run (folder under results/)', 'seed', 'method', 'test error %, last epoch', 'seconds', 'threads'],
    rows,
  );
}

/** A table of a finding's rows, as the notebook shows it. */
function rowsTable(rows: Record<string, string | number | null>[]): string {
  const head = Object.keys(rows[0] ?? {});
  const cell = (v: string | number | null) => (v === null ? '—' : typeof v === 'number' ? String(v) : v);
  return table(
    head,
    rows.map((r) => head.map((k) => cell(r[k]))),
  );
}

/**
 * Notebook 3 at the quick profile, from every published run: its table and findings, computed by the same function
 * the notebook calls (lib/findings/corrupted).
 */
export function dropoutTable(): string {
  const P = notebookParams(CORRUPTED_PROFILES, { MIXUP_PROFILE: 'quick' });
  const groups = corruptedGroups(P);
  const cmp = corruptedComparison(ourRuns(corruptedRuns(P, groups), [], allPublished()), groups, P.alpha);
  return [rowsTable(cmp.rows), ...cmp.findings.map((f) => `**Finding.** ${f.sentence}`)].join('\n\n');
}

/** Notebook 8 at the quick profile, from every published run, by the function the notebook calls (lib/findings/ablation). */
export function ablationTable(): string {
  const P = notebookParams(ABLATION_PROFILES, { MIXUP_PROFILE: 'quick' });
  const cmp = ablationComparison(ourRuns(ablationRuns(P), [], allPublished()), P.weightDecays);
  return [rowsTable(cmp.rows), ...cmp.findings.map((f) => `**Finding.** ${f.sentence}`)].join('\n\n');
}
