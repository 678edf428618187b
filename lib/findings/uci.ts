/**
 * Notebook 4's comparison: per UCI set and feature scaling, ERM, mixup at the fixed α and mixup at the α chosen on
 * validation, ours beside the PyTorch reference on the same rows (Welch over seeds) and beside the paper's Table 5;
 * the finding per set, computed: whether mixup at the chosen α lowers the error in ours and in the reference, and
 * which scaling's errors lie nearer the paper's.
 */
import { UciOutcome, uciOutcomes, UciParams, UciRun } from '../experiments/uci';
import { PAPER } from '../reference/paper';
import { welchTest } from '../stats';
import {
  effectBetween,
  lowers,
  meanOf,
  pairedDifference,
  PerSeed,
  spreadCell,
  StripRow,
  stripRows,
  unreadable,
  Verdict,
} from './common';

type UciScaling = UciRun['scaling'];

/** The set that stands in for the paper's HTRU2 (not available here), and how tables and findings name it. */
const STAND_IN = 'spambase';
const setName = (set: string) => (set === STAND_IN ? 'spambase (stand-in for HTRU2)' : set);
const SCALING_WORDS: Record<UciScaling, string> = { standard: 'standardised', raw: 'raw' };

/** The three rows of a set and scaling: what each reads from an outcome, and the paper's column it stands beside. */
const ROWS = [
  { key: 'erm', paper: 'erm' },
  { key: 'fixed', paper: null },
  { key: 'chosen', paper: 'mixup' },
] as const;
type RowKey = (typeof ROWS)[number]['key'];

const rowLabel = (key: RowKey, P: UciParams) =>
  key === 'erm' ? 'ERM' : key === 'fixed' ? `mixup α = ${P.alpha}` : 'mixup, α chosen on validation';

/** The paper's Table 5 figure for a set (HTRU2's for its stand-in, to show, never to measure a distance to). */
function paperFigure(set: string, column: 'erm' | 'mixup'): number | null {
  return PAPER.uci[column][set] ?? (set === STAND_IN ? PAPER.uci[column].htru2 : null);
}

/** One row's errors per seed on one side (common's `perSeed` reads OurRuns; these are outcomes). */
const bySeed = (outs: UciOutcome[], set: string, scaling: string, key: RowKey): PerSeed =>
  new Map(
    outs
      .filter((o) => o.set === set && o.scaling === scaling && o[key] !== null)
      .map((o) => [o.seed, o[key] as number]),
  );

const chosenAlphas = (outs: UciOutcome[], set: string, scaling: string) =>
  outs
    .filter((o) => o.set === set && o.scaling === scaling && o.chosenAlpha !== null)
    .sort((a, b) => a.seed - b.seed)
    .map((o) => o.chosenAlpha)
    .join(', ') || '—';

/** How far one side's mean errors (ERM and mixup at the chosen α) lie from the paper's, in points; null: not measurable. */
function gapToPaper(outs: UciOutcome[], set: string, scaling: string): number | null {
  if (set === STAND_IN) return null;
  const gaps = (['erm', 'chosen'] as const).map((key) => {
    const paper = paperFigure(set, key === 'erm' ? 'erm' : 'mixup');
    const mean = meanOf(bySeed(outs, set, scaling, key));
    return paper === null || Number.isNaN(mean) ? NaN : Math.abs(mean - paper);
  });
  return gaps.some(Number.isNaN) ? null : (gaps[0] + gaps[1]) / 2;
}

/** Per set: mixup's verdict at the chosen α per scaling, and the scaling nearer the paper on each side. */
export interface UciSetFinding {
  set: string;
  lowers: Record<string, Verdict>;
  /** Mean distance from the paper's two errors per scaling, in points (null: no paper figure, or not run). */
  gap: { ours: Record<string, number | null>; reference: Record<string, number | null> };
  /** The scaling nearer the paper per side ('equal': as near either way; null: not measurable). */
  nearer: { ours: string | null; reference: string | null };
}

/** The scaling with the smallest gap; 'equal' when the smallest two are the same to the tables' precision. */
function nearest(gaps: Record<string, number | null>): string | null {
  const known = Object.entries(gaps)
    .filter((e): e is [string, number] => e[1] !== null)
    .sort((a, b) => a[1] - b[1]);
  if (known.length < 2) return null;
  return known[0][1].toFixed(2) === known[1][1].toFixed(2) ? 'equal' : known[0][0];
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "a, b and c" */
const listed = (xs: string[]) =>
  xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

/** Where mixup at the chosen α lowers ERM's error on one side, grouped by verdict: "lower on iris (raw); …". */
function helpsWords(perSet: UciSetFinding[], scalings: string[], who: 'ours' | 'reference'): string {
  const by = new Map<string, string[]>();
  for (const f of perSet)
    for (const s of scalings) {
      const c = f.lowers[s][who];
      const k = c === 'holds' ? 'lower' : c === 'contradicted' ? 'higher' : unreadable(c) ? 'unreadable' : 'same';
      by.set(k, [...(by.get(k) ?? []), `${f.set} (${SCALING_WORDS[s as UciScaling]})`]);
    }
  const parts = [
    by.get('lower') && `lower than ERM's on ${listed(by.get('lower')!)}`,
    by.get('higher') && `higher on ${listed(by.get('higher')!)}`,
    by.get('unreadable') &&
      `not readable on ${listed(by.get('unreadable')!)} (fewer than two seeds a side, or not run)`,
    by.get('same') &&
      (by.size === 1 ? "not separated from ERM's on any set or scaling" : "not separated from ERM's elsewhere"),
  ].filter(Boolean);
  return `${who === 'ours' ? 'in ours' : 'in the reference'}, ${parts.join('; ')}`;
}

/** Which scaling comes nearer the paper's errors, per set, on one side, and how near the nearer one still is. */
function nearerWords(perSet: UciSetFinding[], who: 'ours' | 'reference'): string | null {
  const measured = perSet.filter((f) => f.nearer[who] !== null);
  if (!measured.length) return null;
  const by = new Map<string, string[]>();
  for (const f of measured) by.set(f.nearer[who]!, [...(by.get(f.nearer[who]!) ?? []), f.set]);
  const gaps = measured.map((f) => ({
    set: f.set,
    gap: Math.min(...Object.values(f.gap[who]).map((g) => g ?? Infinity)),
  }));
  const far = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
  const near = gaps.reduce((a, b) => (b.gap < a.gap ? b : a));
  const which = [...by]
    .map(([s, sets]) =>
      s === 'equal'
        ? `either scaling equally on ${listed(sets)}`
        : `${SCALING_WORDS[s as UciScaling]} features on ${listed(sets)}`,
    )
    .join('; ');
  const span =
    near === far
      ? `${near.gap.toFixed(1)} points`
      : `${near.gap.toFixed(1)} (${near.set}) to ${far.gap.toFixed(1)} (${far.set}) points`;
  return `${who === 'ours' ? 'in ours' : 'in the reference'}, ${which}, the nearer scaling still ${span} from the paper's errors on average`;
}

export function uciComparison(ours: UciRun[], reference: UciRun[], P: UciParams) {
  const o = uciOutcomes(ours, P.alpha);
  const r = uciOutcomes(reference, P.alpha);
  const sets = P.sets.filter((s) => ours.some((x) => x.set === s));
  const scalings = P.scalings.filter((sc) => ours.some((x) => x.scaling === sc));
  const rows = sets.flatMap((set) =>
    scalings.flatMap((scaling) =>
      ROWS.map(({ key, paper }) => {
        const mine = bySeed(o, set, scaling, key);
        const theirs = bySeed(r, set, scaling, key);
        const t = welchTest([...mine.values()], [...theirs.values()]);
        return {
          set: setName(set),
          features: SCALING_WORDS[scaling as UciScaling],
          method: rowLabel(key, P),
          'α chosen per seed (ours; reference)':
            key === 'chosen' ? `${chosenAlphas(o, set, scaling)}; ${chosenAlphas(r, set, scaling)}` : null,
          'ours, test error %': spreadCell(mine),
          'PyTorch reference, same rows': spreadCell(theirs),
          "Welch's p, ours vs reference": t ? t.p.toFixed(2) : null,
          // The paper's mixup figure is at its own chosen α: it stands beside our chosen row only.
          'paper (as recalled)': paper === null ? null : paperFigure(set, paper),
        };
      }),
    ),
  );
  // The table of means: per set and scaling, ERM and mixup at the chosen α, ours, the reference's and the paper's.
  const mean = (outs: UciOutcome[], set: string, scaling: string, key: RowKey) => {
    const m = meanOf(bySeed(outs, set, scaling, key));
    return Number.isNaN(m) ? null : Number(m.toFixed(2));
  };
  const means = sets.flatMap((set) =>
    scalings.map((scaling) => ({
      set: setName(set),
      features: SCALING_WORDS[scaling as UciScaling],
      'ERM, ours': mean(o, set, scaling, 'erm'),
      'ERM, reference': mean(r, set, scaling, 'erm'),
      'ERM, paper': paperFigure(set, 'erm'),
      'mixup (chosen α), ours': mean(o, set, scaling, 'chosen'),
      'mixup (chosen α), reference': mean(r, set, scaling, 'chosen'),
      'mixup, paper': paperFigure(set, 'mixup'),
    })),
  );
  const perSet: UciSetFinding[] = sets.map((set) => {
    const lowersAt = (scaling: string): Verdict => ({
      ours: lowers(effectBetween(bySeed(o, set, scaling, 'erm'), bySeed(o, set, scaling, 'chosen'))),
      reference: lowers(effectBetween(bySeed(r, set, scaling, 'erm'), bySeed(r, set, scaling, 'chosen'))),
    });
    const gaps = (outs: UciOutcome[]) => Object.fromEntries(scalings.map((s) => [s, gapToPaper(outs, set, s)]));
    const gap = { ours: gaps(o), reference: gaps(r) };
    return {
      set,
      lowers: Object.fromEntries(scalings.map((s) => [s, lowersAt(s)])),
      gap,
      nearer: { ours: nearest(gap.ours), reference: nearest(gap.reference) },
    };
  });
  const tested = rows.filter((x) => x["Welch's p, ours vs reference"] !== null);
  const apart = tested.filter((x) => Number(x["Welch's p, ours vs reference"]) < 0.05);
  const nearer = (['ours', 'reference'] as const).map((w) => nearerWords(perSet, w)).filter(Boolean);
  const sentence = [
    `Mixup at the α chosen on validation, against ERM (Welch over seeds): ${helpsWords(perSet, scalings, 'ours')}.`,
    `${capitalised(helpsWords(perSet, scalings, 'reference'))}.`,
    tested.length
      ? `Ours against the PyTorch reference on the same rows: Welch separates ${apart.length} of the ${tested.length} ` +
        `rows it can test (p < 0.05)${apart.length ? `: ${apart.map((x) => `${x.set}, ${x.features}, ${x.method}`).join('; ')}` : ''}.`
      : 'Welch can test no row of ours against the reference (fewer than two seeds a side).',
    scalings.length < 2
      ? `Only ${SCALING_WORDS[scalings[0] as UciScaling]} features were run, so no scaling can be said to come nearer the paper.`
      : nearer.length
        ? `Nearer the paper's Table 5 (the mean distance of ERM's and mixup's errors from the paper's): ${nearer.join('; ')}.`
        : 'No set has both scalings run beside a paper figure.',
    sets.includes(STAND_IN) ? `HTRU2's stand-in, ${STAND_IN}, has no paper figure to come nearer to.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  // Test error against α per set (ERM at α = 0), ours and the reference per scaling: the means over seeds.
  const curves = sets.flatMap((set) =>
    scalings.flatMap((scaling) =>
      (
        [
          ['mixup-lab', ours],
          ['PyTorch reference', reference],
        ] as const
      ).flatMap(([side, runs]) => {
        const at = runs.filter((x) => x.set === set && x.scaling === scaling && x.scored === 'test');
        return [...new Set(at.map((x) => x.alpha))]
          .sort((a, b) => a - b)
          .map((alpha) => ({
            set: setName(set),
            side,
            features: SCALING_WORDS[scaling as UciScaling],
            α: alpha,
            'test error %': meanOf(new Map(at.filter((x) => x.alpha === alpha).map((x) => [x.seed, x.error]))),
          }));
      }),
    ),
  );
  // Per seed, ERM's test error minus mixup's at the chosen α (above 0: mixup helped that seed), ours beside the
  // reference's: one scale for every set, where the errors themselves lie tens of points apart.
  const strip: StripRow[] = sets.flatMap((set) =>
    scalings.flatMap((scaling) => {
      const gain = (outs: UciOutcome[]) =>
        pairedDifference(bySeed(outs, set, scaling, 'erm'), bySeed(outs, set, scaling, 'chosen'));
      return stripRows(`${set}, ${SCALING_WORDS[scaling as UciScaling]}`, gain(o), gain(r));
    }),
  );
  return {
    rows,
    means,
    curves,
    strip,
    finding: {
      sets: perSet,
      sentence,
    },
  };
}
