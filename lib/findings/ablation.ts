/**
 * Notebook 8's comparison: the paper's ablation (section 3.8), every variant at each weight decay, ours over seeds
 * beside the authors' two published rows, and the finding on the paper's claim, computed: mixup is the best of the
 * methods tested, significantly better than the second best.
 */
import { ABLATION_VARIANTS, AUTHORS_ABLATION } from '../experiments/ablation';
import { methodAlpha, METHODS } from '../methods';
import type { Effect } from '../stats';
import { bestTestError, lastTestError } from '../train/history';
import {
  CLAIM_WORDS,
  Claim,
  compared,
  effectBetween,
  meanOf,
  OurRun,
  PerSeed,
  perSeed,
  seedsOf,
  spreadCell,
  StripRow,
} from './common';

export interface WeightDecayFinding {
  weightDecay: number;
  /** Variants by mean last-epoch test error %, lowest first (variants without runs left out). */
  ranking: { variant: string; error: number; seeds: number }[];
  /** Mixup's place in the ranking (1 = best) and its effect against the best other variant (baseline: that one). */
  mixupRank: number;
  runnerUp: string | null;
  againstBestOther: Effect | null;
  /** The paper's claim: mixup first, separated from the second best by Welch's test. */
  claim: Claim;
  sentence: string;
}

export interface AblationComparison {
  rows: Record<string, string | number | null>[];
  strip: StripRow[];
  findings: WeightDecayFinding[];
}

const groupOf = (wd: number) => `weight decay ${wd}`;

/** `ours`: our runs, their method the variant's name and their group `weight decay <wd>` (as ablationRuns names them). */
export function ablationComparison(ours: OurRun[], weightDecays: number[], alpha: number): AblationComparison {
  const cell = (v: string, wd: number) => ours.filter((r) => r.method === v && r.group === groupOf(wd));
  const last = (v: string, wd: number) => perSeed(cell(v, wd), (r) => 100 * lastTestError(r.history));
  const rows = ABLATION_VARIANTS.map((v) => ({
    variant: v.name,
    'mixing α': methodAlpha(v, alpha) || '—',
    ...Object.fromEntries(
      weightDecays.flatMap((wd) => [
        [`wd ${wd}: seeds`, seedsOf(cell(v.name, wd))],
        [`wd ${wd}: last % (ours)`, spreadCell(last(v.name, wd))],
        [
          `wd ${wd}: best scored % (ours)`,
          spreadCell(perSeed(cell(v.name, wd), (r) => 100 * bestTestError(r.history))),
        ],
        [`wd ${wd}: authors (full CIFAR-10, 200 epochs)`, AUTHORS_ABLATION[v.name]?.[String(wd)] ?? null],
      ]),
    ),
    'what it tests': v.about,
  }));
  const strip: StripRow[] = weightDecays.flatMap((wd) =>
    ABLATION_VARIANTS.flatMap((v) =>
      [...last(v.name, wd)].map(([seed, value]) => ({ group: v.name, side: `wd ${wd}`, seed, value })),
    ),
  );
  const findings = weightDecays.map((wd) => finding(wd, (v) => last(v, wd)));
  return { rows, strip, findings };
}

function finding(weightDecay: number, last: (variant: string) => PerSeed): WeightDecayFinding {
  const ranking = ABLATION_VARIANTS.map((v) => ({
    variant: v.name,
    error: meanOf(last(v.name)),
    seeds: last(v.name).size,
  }))
    .filter((r) => r.seeds > 0)
    .sort((a, b) => a.error - b.error);
  const mixup = METHODS.mixup.name;
  const mixupRank = ranking.findIndex((r) => r.variant === mixup) + 1;
  const bestOther = ranking.find((r) => r.variant !== mixup) ?? null;
  const e = mixupRank && bestOther ? effectBetween(last(bestOther.variant), last(mixup)) : null;
  // Holds: mixup first and Welch separates it from the runner-up; contradicted: another variant separated below it.
  const claim: Claim = !e
    ? 'not run'
    : e.p === null
      ? null
      : e.verdict === 'lower' && mixupRank === 1
        ? 'holds'
        : e.verdict === 'higher'
          ? 'contradicted'
          : 'not shown';
  const seeds = Math.min(...ranking.map((r) => r.seeds));
  const standing = !mixupRank
    ? 'has no runs'
    : mixupRank === 1
      ? `ranks first of ${ranking.length}, ${compared(e, `the runner-up, ${bestOther?.variant}`)}`
      : `ranks ${mixupRank} of ${ranking.length}, ${compared(e, `the best, ${bestOther?.variant}`)}`;
  const order = ranking.map((r) => `${r.variant} ${r.error.toFixed(1)}`).join(' · ');
  const words = claim === null ? 'cannot be read (fewer than two seeds a side)' : CLAIM_WORDS[claim];
  return {
    weightDecay,
    ranking,
    mixupRank,
    runnerUp: bestOther?.variant ?? null,
    againstBestOther: e,
    claim,
    sentence:
      `Weight decay ${weightDecay}, at least ${seeds} seed${seeds === 1 ? '' : 's'} a variant: mixup's last-epoch test ` +
      `error ${standing}. Order (test error %): ${order}. The paper's claim (mixup best, significantly ahead of the ` +
      `second) ${words}.`,
  };
}
