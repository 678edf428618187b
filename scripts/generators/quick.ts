/**
 * The quick profile's CIFAR protocol (1,000 images, width 8, 240 epochs): ERM and mixup beside the PyTorch reference
 * at the same protocol, the memorisation runs with their dropout rows (notebook 3), and the ablation (notebook 8).
 */
import { ABLATION_VARIANTS, ABLATION_WEIGHT_DECAYS, AUTHORS_ABLATION } from '../../lib/experiments/ablation';
import { CIFAR_PROFILES } from '../../lib/experiments/cifar';
import { referenceRunsFor } from '../../lib/reference/runs';
import { meanStd } from '../../lib/stats';
import type { RunResult } from '../../lib/runs/cache';
import { bestPct, fmt, label, lastPct, perSeed, readJson, runsOf, seedOf, spreadCell, table, unlearntPct } from './common';

const P = CIFAR_PROFILES.quick;
const NOISE = 0.5;
/** Notebook 3's choices (its parameters cell): mixup's α under noise, and the dropout rows' p. */
const NOISE_ALPHA = 8;
const DROPOUT = { erm: 0.8, mixup: 0.5 };

interface FgsmRow { attack: string; target: string; seed: number; error: number[] }

/** Runs of one configuration, reruns of a seed averaged: mean ± sd over seeds. */
const cell = (rs: ReturnType<typeof runsOf>, pick: (r: RunResult) => number) => spreadCell(perSeed(rs, pick), rs.length);
/**
 * A notebook's own runs: those published by the quick profile (results/quick/), without the second ERMs of notebook 5
 * (seed + 100), which share ERM's configuration but were not trained for these tables.
 */
const ownRuns = (rs: ReturnType<typeof runsOf>) => rs.filter((r) => r.folder === 'quick' && seedOf(r) < 100);

/** Clean, noisy and FGSM rows of the quick protocol, ours beside the reference's (one seed each, so far). */
export function quickTable(): string {
  const ref = referenceRunsFor(P);
  const refOf = (alpha: number, noise: number) => ref.filter((r) => r.alpha === alpha && r.noise === noise);
  const noiseCell = (rs: ReturnType<typeof runsOf>) => rs.map((r) => `${fmt(bestPct(r.run), 2)} / ${fmt(lastPct(r.run), 2)}, ${fmt(unlearntPct(r.run), 1)} %`).join('; ') || 'not run';
  const refNoise = (rs: ReturnType<typeof refOf>) => rs.map((r) => `${fmt(r.best, 2)} / ${fmt(r.last, 2)}, ${fmt(r.corruptedTrain ?? NaN, 1)} %`).join('; ') || 'not run';
  const refCell = (rs: ReturnType<typeof refOf>) => spreadCell(new Map(rs.map((r) => [r.seed, r.last])));
  const fgsm = readJson<{ rows: FgsmRow[] }>('quick/fgsm-exact.json').rows;
  const ours = (attack: string, target: string) => fgsm.filter((r) => r.attack === attack && r.target === target).map((r) => r.error.map((e) => fmt(e, 2)).join(' / ')).join('; ') || 'not run';
  const refWhite = (alpha: number) => refOf(alpha, 0).map((r) => [1, 2, 4, 8].map((e) => fmt((r.fgsmWhiteExact ?? r.fgsmWhite)[e], 2)).join(' / ')).join('; ') || 'not run';
  return table(['quick protocol', 'ERM: ours', 'ERM: reference', `mixup α = ${P.alpha}: ours`, 'mixup: reference'], [
    ['clean test error %, last epoch', cell(runsOf(P, 0), lastPct), refCell(refOf(0, 0)), cell(runsOf(P, P.alpha), lastPct), refCell(refOf(P.alpha, 0))],
    [`${NOISE * 100} % noisy labels (mixup α = ${NOISE_ALPHA}): test error % best / last, redrawn labels left unlearnt`,
      noiseCell(runsOf(P, 0, NOISE)), refNoise(refOf(0, NOISE)), noiseCell(runsOf(P, NOISE_ALPHA, NOISE)), refNoise(refOf(NOISE_ALPHA, NOISE))],
    ['white-box FGSM error %, ε = 1 / 2 / 4 / 8 (/255)', ours('white', 'ERM'), refWhite(0), ours('white', 'mixup'), refWhite(P.alpha)],
    ['black-box FGSM error %, ε = 1 / 2 / 4 / 8 (examples from a second ERM)', ours('black', 'ERM'), 'not run', ours('black', 'mixup'), 'not run'],
  ]);
}

/** Every published run of the quick protocol's clean ERM and mixup, by folder and seed. */
export function quickRunsTable(): string {
  const rows = [...runsOf(P, 0), ...runsOf(P, P.alpha)].sort((x, y) => x.folder.localeCompare(y.folder) || seedOf(x) - seedOf(y)).map((r) => [label(r), String(seedOf(r)), r.run.spec.train.mixup.alpha ? `mixup α = ${P.alpha}` : 'ERM',
    fmt(lastPct(r.run), 2), fmt(r.run.seconds), String(r.run.threads ?? '?')]);
  return table(['run (folder under results/)', 'seed', 'method', 'test error %, last epoch', 'seconds', 'threads'], rows);
}

/** Notebook 3's dropout rows beside its ERM and mixup, at 50 % noise on the quick protocol. */
export function dropoutTable(): string {
  const rows: [string, ReturnType<typeof runsOf>][] = [
    ['ERM', runsOf(P, 0, NOISE)],
    [`ERM + dropout (p = ${DROPOUT.erm})`, runsOf(P, 0, NOISE, { dropout: DROPOUT.erm })],
    [`mixup α = ${NOISE_ALPHA}`, runsOf(P, NOISE_ALPHA, NOISE)],
    [`mixup α = ${NOISE_ALPHA} + dropout (p = ${DROPOUT.mixup})`, runsOf(P, NOISE_ALPHA, NOISE, { dropout: DROPOUT.mixup })],
  ];
  return table(['50 % noisy labels, quick protocol (results/quick/)', 'seeds', 'test error % best', 'test error % last', 'redrawn labels left unlearnt %'],
    rows.map(([name, all]) => {
      const rs = ownRuns(all);
      return [name, rs.map(seedOf).join(', ') || 'not run', cell(rs, bestPct), cell(rs, lastPct), cell(rs, unlearntPct)];
    }));
}

/** Notebook 8's ablation, ranked at weight decay 10⁻⁴, with the authors' two published rows (full CIFAR-10). */
export function ablationTable(): string {
  const [wdA, wdB] = ABLATION_WEIGHT_DECAYS;
  const rows = ABLATION_VARIANTS.map((v) => {
    const at = (wd: number) => ownRuns(runsOf(P, v.alpha, 0, { ...v.variant, weightDecay: wd }));
    return { v, a: at(wdA), b: at(wdB) };
  });
  const mean = (rs: ReturnType<typeof runsOf>) => (rs.length ? meanStd([...perSeed(rs, lastPct).values()]).mean : Infinity);
  rows.sort((x, y) => mean(x.a) - mean(y.a));
  const authors = (name: string, wd: number) => AUTHORS_ABLATION[name]?.[String(wd)];
  return table(['variant (results/quick/)', `test error %, wd ${wdA}`, `wd ${wdB}`, `authors (full CIFAR-10, 200 epochs): wd ${wdA} / ${wdB}`, 'what it tests'],
    rows.map(({ v, a, b }) => [v.name, cell(a, lastPct), cell(b, lastPct),
      authors(v.name, wdA) === undefined ? '—' : `${fmt(authors(v.name, wdA)!, 2)} / ${fmt(authors(v.name, wdB)!, 2)}`, v.about]));
}
