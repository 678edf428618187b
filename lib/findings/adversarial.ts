/**
 * Notebook 5's comparison: FGSM error of ERM and mixup models (the paper's section 3.5), ours over seeds beside the
 * PyTorch reference's models at the same protocol (attacked as we attack, along the exact gradient's sign), and the
 * finding on the paper's two claims, computed: mixup lowers the white-box FGSM error, and examples made on an ERM model
 * fool a mixup model less often than another ERM model (black-box).
 */
import type { AttackScore } from '../experiments/result-jobs';
import type { ReferenceRun } from '../reference/runs';
import type { Effect } from '../stats';
import {
  describeEffect,
  effectBetween,
  lowers,
  pairedDifference,
  PerSeed,
  plural,
  referencePerSeed,
  spreadCell,
  spreadOfSeeds,
  StripRow,
  stripRows,
  Verdict,
  verdictWords,
} from './common';
import { PAPER_METHODS } from '../methods';
import { PAPER } from '../reference/paper';

const [ERM, MIXUP] = PAPER_METHODS;

export interface EpsilonFinding {
  eps: number;
  /** Error % per seed under FGSM, ours and the reference's. */
  white: { erm: { ours: PerSeed; reference: PerSeed }; mixup: { ours: PerSeed; reference: PerSeed } };
  black: { erm: { ours: PerSeed; reference: PerSeed }; mixup: { ours: PerSeed; reference: PerSeed } };
  /** Mixup − ERM per seed, white-box (negative: mixup more robust). */
  whiteGap: { ours: PerSeed; reference: PerSeed };
  /** Mixup's white-box error below ERM's. */
  whiteLower: Verdict;
  /** Black-box: mixup fooled less often than the second ERM. */
  blackLower: Verdict;
}

export interface AdversarialComparison {
  rows: Record<string, string | number | null>[];
  strip: StripRow[];
  /** Error % against ε, mean over seeds, per attack and mode ('FGSM white-box' …) and target. */
  curves: { mode: string; target: string; eps: number; 'error %': number }[];
  finding: { epsilons: EpsilonFinding[]; sentence: string };
}

/**
 * `scores`: our FGSM / I-FGSM errors (percent) per seed; `reference`: the reference's runs at the same protocol (its
 * mixup at `alpha`); `epsilons` in units of 1/255.
 */
export function adversarialComparison(
  scores: AttackScore[],
  reference: ReferenceRun[],
  alpha: number,
  epsilons: number[],
): AdversarialComparison {
  const ours = (mode: AttackScore['mode'], target: AttackScore['target'], eps: number): PerSeed =>
    new Map(
      scores
        .filter((s) => s.attack === 'FGSM' && s.mode === mode && s.target === target && s.eps === eps)
        .sort((a, b) => a.seed - b.seed)
        .map((s) => [s.seed, s.error]),
    );
  const ref = (a: number, pick: (r: ReferenceRun) => number | undefined) => referencePerSeed(reference, a, 0, pick);
  const findings = epsilons.map((eps): EpsilonFinding => {
    const white = {
      erm: { ours: ours('white-box', ERM, eps), reference: ref(0, (r) => r.fgsmWhiteExact?.[eps]) },
      mixup: { ours: ours('white-box', MIXUP, eps), reference: ref(alpha, (r) => r.fgsmWhiteExact?.[eps]) },
    };
    const black = {
      erm: { ours: ours('black-box', ERM, eps), reference: ref(0, (r) => r.fgsmBlack?.[eps]) },
      mixup: { ours: ours('black-box', MIXUP, eps), reference: ref(alpha, (r) => r.fgsmBlack?.[eps]) },
    };
    const both = (f: (s: 'ours' | 'reference') => Effect | null) => ({
      ours: lowers(f('ours')),
      reference: lowers(f('reference')),
    });
    return {
      eps,
      white,
      black,
      whiteGap: {
        ours: pairedDifference(white.mixup.ours, white.erm.ours),
        reference: pairedDifference(white.mixup.reference, white.erm.reference),
      },
      whiteLower: both((s) => effectBetween(white.erm[s], white.mixup[s])),
      blackLower: both((s) => effectBetween(black.erm[s], black.mixup[s])),
    };
  });
  const rows = findings.map((f) => ({
    'ε (/255)': f.eps,
    'white-box ERM: ours': spreadCell(f.white.erm.ours),
    'white-box mixup: ours': spreadCell(f.white.mixup.ours),
    'white-box ERM: reference': spreadCell(f.white.erm.reference),
    'white-box mixup: reference': spreadCell(f.white.mixup.reference),
    'black-box, second ERM: ours': spreadCell(f.black.erm.ours),
    'black-box, mixup: ours': spreadCell(f.black.mixup.ours),
    'black-box ERM / mixup: reference': f.black.erm.reference.size
      ? `${spreadCell(f.black.erm.reference)} / ${spreadCell(f.black.mixup.reference)}`
      : 'not run',
  }));
  const strip = findings.flatMap((f) => [
    ...stripRows(`ε ${f.eps}, ERM`, f.white.erm.ours, f.white.erm.reference),
    ...stripRows(`ε ${f.eps}, mixup`, f.white.mixup.ours, f.white.mixup.reference),
  ]);
  const curves: AdversarialComparison['curves'] = [];
  for (const s of scores) {
    const mode = `${s.attack} ${s.mode}`;
    if (curves.some((c) => c.mode === mode && c.target === s.target && c.eps === s.eps)) continue;
    const same = scores.filter(
      (x) => x.attack === s.attack && x.mode === s.mode && x.target === s.target && x.eps === s.eps,
    );
    curves.push({ mode, target: s.target, eps: s.eps, 'error %': same.reduce((a, x) => a + x.error, 0) / same.length });
  }
  return { rows, strip, curves, finding: { epsilons: findings, sentence: sentence(findings) } };
}

/** "1", "1 and 8", "1, 2 and 4". */
const listWords = (xs: number[]) =>
  xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : String(xs[0]);

/** Notebook 5's context row, the project's seed reproduction, with its columns named. */
export function fgsmSeedRows(): Record<string, string | number>[] {
  const s = PAPER.fgsmSeed;
  return [
    {
      source: s.source,
      'white-box, ERM': s.whiteErm,
      'white-box, mixup': s.whiteMixup,
      'black-box, ERM': s.blackErm,
      'black-box, mixup': s.blackMixup,
    },
  ];
}

function gapWords(gap: PerSeed): string {
  const s = spreadOfSeeds(gap);
  if (!s) return 'not run';
  return s.n > 1 ? `${s.mean.toFixed(1)} [${s.min.toFixed(1)} to ${s.max.toFixed(1)}]` : s.mean.toFixed(1);
}

function sentence(fs: EpsilonFinding[]): string {
  if (!fs.length) return 'No ε was attacked.';
  const n = Math.max(...fs.map((f) => f.white.erm.ours.size));
  const nRef = Math.max(...fs.map((f) => f.white.erm.reference.size));
  const white = fs
    .map(
      (f) => `ε = ${f.eps}: ${gapWords(f.whiteGap.ours)} in ours, ${gapWords(f.whiteGap.reference)} in the reference`,
    )
    .join('; ');
  const black = fs
    .map((f) => {
      const e = effectBetween(f.black.erm.ours, f.black.mixup.ours);
      return `ε = ${f.eps}: ${e ? describeEffect(e) : 'not run'}`;
    })
    .join('; ');
  // The ε that share a verdict are named together: "at ε = 1, 2 and 4 holds in ours and in the reference".
  const claims = (k: 'whiteLower' | 'blackLower') => {
    const groups = new Map<string, number[]>();
    for (const f of fs) groups.set(verdictWords(f[k]), [...(groups.get(verdictWords(f[k])) ?? []), f.eps]);
    return [...groups]
      .map(
        ([words, eps]) =>
          `at ${eps.length === fs.length && fs.length > 1 ? 'every ε' : `ε = ${listWords(eps)}`} ${words}`,
      )
      .join(', ');
  };
  const unreadable = (v: Verdict) => [v.ours, v.reference].every((c) => c === null || c === 'not run');
  const head =
    `White-box FGSM error, mixup minus ERM seed by seed (points; negative: mixup more robust), over ${plural(n, 'seed')} ` +
    `${nRef ? `of ours and ${plural(nRef, 'seed')} of the reference` : 'of ours (the reference has none at this protocol)'}: ${white}. Black-box, mixup's error against the second ERM's on ` +
    `the same examples: ${black}.`;
  if (fs.every((f) => unreadable(f.whiteLower) && unreadable(f.blackLower)))
    return (
      `${head} Neither of the paper's claims (mixup lowers white-box FGSM error; ERM-made examples fool mixup less ` +
      `often) can be read here: Welch's test needs two seeds a side (seeds: [1, 2, 3]), and the reference runs of this protocol.`
    );
  return (
    `${head} The paper's claim that mixup lowers white-box FGSM error ${claims('whiteLower')}; ` +
    `that ERM-made examples fool mixup less often ${claims('blackLower')}.`
  );
}
