/**
 * What every notebook's finding shares: our runs named by what they are, values per seed (reruns of a seed averaged
 * into one unit), and the words of a claim's verdict. Every value here is in percent (docs/architecture.md: percent at
 * the notebook boundary); run histories hold fractions and are read through lib/train/history.
 */
import { sameLayers } from '../methods';
import type { ReferenceRun } from '../reference/runs';
import type { RunResult } from '../runs/cache';
import { Effect, effectOf, formatSpread, meanStd, Spread, spreadOf } from '../stats';

/** One of our finished runs and what it is in a comparison; `source`: 'here' (this notebook) or its results/ folder. */
export interface OurRun {
  method: string;
  group: string;
  seed: number;
  run: RunResult;
  source: string;
}

/** A value per seed, in percent. */
export type PerSeed = Map<number, number>;

/** `pick` per seed over the runs given (reruns of one seed are averaged: seeds are the units of every spread). */
export function perSeed(runs: OurRun[], pick: (r: RunResult) => number | null | undefined): PerSeed {
  const sums = new Map<number, number[]>();
  for (const r of runs) {
    const v = pick(r.run);
    if (typeof v === 'number' && Number.isFinite(v)) sums.set(r.seed, [...(sums.get(r.seed) ?? []), v]);
  }
  return new Map(
    [...sums].sort(([a], [b]) => a - b).map(([seed, vs]) => [seed, vs.reduce((a, b) => a + b, 0) / vs.length]),
  );
}

/** The reference's `pick` per seed among its runs of one α and noise level. */
export function referencePerSeed(
  runs: ReferenceRun[],
  alpha: number,
  noise: number,
  pick: (r: ReferenceRun) => number | null | undefined,
  layers?: readonly number[],
): PerSeed {
  const out: PerSeed = new Map();
  for (const r of runs) {
    // A method's runs only: Manifold Mixup's at α 2 are not mixup's at α 2 (lib/methods).
    const v = r.alpha === alpha && r.noise === noise && sameLayers(r.layers, layers) ? pick(r) : null;
    if (typeof v === 'number' && Number.isFinite(v)) out.set(r.seed, v);
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

/** a − b on the seeds both have (e.g. ERM's error minus mixup's, seed by seed). */
export function pairedDifference(a: PerSeed, b: PerSeed): PerSeed {
  return new Map([...a].filter(([s]) => b.has(s)).map(([s, v]) => [s, v - b.get(s)!]));
}

export const spreadOfSeeds = (m: PerSeed): Spread | null => spreadOf([...m].map(([seed, v]) => ({ seed, v })));
export const values = (m: PerSeed) => [...m.values()];
export const meanOf = (m: PerSeed) => (m.size ? meanStd(values(m)).mean : NaN);

/** "1, 2, 3" for the seeds of the runs given, "—" for none. */
export function seedsOf(runs: { seed: number }[]): string {
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  return seeds.length ? seeds.join(', ') : '—';
}

/** A table cell: mean ± sd [range] over seeds, the one value and its seed, or 'not run'. */
export const spreadCell = (m: PerSeed, digits = 2) => formatSpread(spreadOfSeeds(m), digits) ?? 'not run';

/** The effect of a method against a baseline over seeds (null when either side has no seed). */
export function effectBetween(baseline: PerSeed, method: PerSeed): Effect | null {
  return baseline.size && method.size ? effectOf(values(baseline), values(method)) : null;
}

/**
 * How a claim fares on one side: shown or refuted where Welch's test separates the two sets of seeds (p < 0.05),
 * else only 'not shown' (a claimed effect) or 'not contradicted' (a claimed absence of one); 'not run' where that
 * side has no runs, null where the test cannot run (fewer than two seeds a side).
 */
export type Claim = 'holds' | 'not shown' | 'not contradicted' | 'contradicted' | 'not run' | null;

export const CLAIM_WORDS: Record<Exclude<Claim, null>, string> = {
  holds: 'holds',
  'not shown': 'does not show (no difference Welch separates)',
  'not contradicted': 'is not contradicted (no difference Welch separates)',
  contradicted: 'is contradicted',
  'not run': 'cannot be read (not run)',
};

/** A claim that the method lowers the measure (`effect`: baseline against method). */
export function lowers(e: Effect | null): Claim {
  if (!e) return 'not run';
  if (e.p === null) return null;
  return e.verdict === 'lower' ? 'holds' : e.verdict === 'higher' ? 'contradicted' : 'not shown';
}

/** A claim that the method raises the measure. */
export function raises(e: Effect | null): Claim {
  if (!e) return 'not run';
  if (e.p === null) return null;
  return e.verdict === 'higher' ? 'holds' : e.verdict === 'lower' ? 'contradicted' : 'not shown';
}

/** Ours and the reference's verdict on one claim. */
export interface Verdict {
  ours: Claim;
  reference: Claim;
}

/** "the reference: 4 seeds and 3 seeds" of ERM and mixup, or that it has none: never "0 seeds and 0 seeds". */
export function referenceSeedsWords(
  erm: PerSeed,
  mixup: PerSeed,
  none = 'the reference has no runs at this protocol',
): string {
  return erm.size || mixup.size ? `the reference: ${plural(erm.size, 'seed')} and ${plural(mixup.size, 'seed')}` : none;
}

/** A side on which a claim cannot be read: too few seeds, or no runs. */
export const unreadable = (c: Claim) => c === null || c === 'not run';

/** A claim's words: 'holds', 'is contradicted', ... */
export const claimWords = (v: Claim) => (v === null ? 'cannot be read (fewer than two seeds a side)' : CLAIM_WORDS[v]);

/** "holds in ours and in the reference" / "holds in ours and does not show … in the reference". */
export function verdictWords(v: Verdict): string {
  // Both sides unreadable: one "cannot be read", with each side's reason.
  const why = (c: Claim) => (c === null ? 'fewer than two seeds a side' : 'not run');
  if (unreadable(v.ours) && unreadable(v.reference))
    return v.ours === v.reference
      ? `cannot be read (${why(v.ours)}) in ours or in the reference`
      : `cannot be read (ours: ${why(v.ours)}; the reference: ${why(v.reference)})`;
  return v.ours === v.reference
    ? `${claimWords(v.ours)} in ours and in the reference`
    : `${claimWords(v.ours)} in ours and ${claimWords(v.reference)} in the reference`;
}

/** "lower by 6.93 points (Welch p = 0.01)", from a baseline-against-method effect. */
export function describeEffect(e: Effect | null, unit = 'points'): string {
  if (!e) return 'not run';
  const { gain, p, verdict } = e;
  const by =
    Math.abs(gain) < 0.005 ? 'unchanged' : `${gain > 0 ? 'lower' : 'higher'} by ${Math.abs(gain).toFixed(2)} ${unit}`;
  return `${by}${p === null ? '' : ` (Welch p = ${p.toFixed(2)}${verdict === 'no clear difference' ? ', not separated' : ''})`}`;
}

/** "lower by 6.93 points (Welch p = 0.01) than ERM's", or "the same as ERM's", or 'not comparable (not run)'. */
export function compared(e: Effect | null, what: string, unit = 'points'): string {
  if (!e) return 'not comparable (not run)';
  const words = describeEffect(e, unit);
  return words.startsWith('unchanged')
    ? words.replace(/^unchanged/, `the same as ${what}`)
    : words.replace(/^(\S+ by \S+ \S+)/, `$1 than ${what}`);
}

export const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** One point per seed for a seed strip chart. */
export type StripRow = {
  group: string;
  side: string;
  seed: number;
  value: number;
};

/** Strip rows of ours and the reference's values per seed in one group. */
export function stripRows(group: string, ours: PerSeed, reference: PerSeed): StripRow[] {
  return [
    ...[...ours].map(([seed, value]) => ({ group, side: 'mixup-lab', seed, value })),
    ...[...reference].map(([seed, value]) => ({ group, side: 'PyTorch reference', seed, value })),
  ];
}
