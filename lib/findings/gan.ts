/**
 * Notebook 7's comparison: the plain GAN against the mixup-GAN on mixtures of Gaussians (the paper's section 3.7, given
 * as a picture: Fig. 5), and the finding on its claim, computed: the mixup-GAN learns the mixture (covers its modes,
 * puts its points near them) where the plain GAN fails.
 */
import { GAN_METHODS, WantedGan } from '../experiments/gan';
import type { GanCheckpoint } from '../gan/train';
import { formatSpread, meanStd, spreadOf } from '../stats';
import { CLAIM_WORDS, Claim, compared, effectBetween, PerSeed, plural, raises, StripRow } from './common';

export type GanRun = WantedGan & { history: GanCheckpoint[] };

export interface GanSetFinding {
  set: string;
  /** Points within the radius of a mode at the last iteration, % per seed. */
  nearMode: Record<string, PerSeed>;
  /** Share of the modes covered at the last iteration, % per seed. */
  covered: Record<string, PerSeed>;
  /** The mixup-GAN puts more of its points near a mode than the GAN (Welch's test over seeds). */
  claim: Claim;
}

export interface GanComparison {
  rows: Record<string, string | number | null>[];
  sweepRows: Record<string, string | number | null>[];
  strip: StripRow[];
  /** Mean over seeds per set, method and checkpoint, in %: for the stability curves. */
  curves: {
    set: string;
    method: string;
    iteration: number;
    'modes covered %': number;
    'points near a mode %': number;
  }[];
  finding: { sets: GanSetFinding[]; stable: Record<string, { runs: number; stable: number }>; sentence: string };
}

const last = (r: GanRun) => r.history.at(-1)!;
const bySeed = (runs: GanRun[], f: (c: GanCheckpoint) => number): PerSeed =>
  new Map(runs.map((r) => [r.seed, f(last(r))] as [number, number]).sort(([a], [b]) => a - b));

export function ganComparison(runs: GanRun[]): GanComparison {
  const main = runs.filter((r) => r.main);
  const sets = [...new Set(main.map((r) => r.set))];
  const of = (set: string, method: string) => main.filter((r) => r.set === set && r.method === method);
  const rows = sets.flatMap((set) =>
    GAN_METHODS.map((method) => {
      const rs = of(set, method);
      const covered = spreadOf(rs.map((r) => ({ seed: r.seed, v: last(r).covered })));
      return {
        set,
        method,
        seeds: rs.map((r) => r.seed).join(', '),
        'modes covered': covered ? `${formatSpread(covered, 1)} of ${last(rs[0]).modes}` : 'not run',
        'points near a mode %': formatSpread(spreadOf(rs.map((r) => ({ seed: r.seed, v: 100 * last(r).highQuality })))),
        'mean distance to a mode': rs.length ? meanStd(rs.map((r) => last(r).meanDistance)).mean : null,
        'D loss, last stretch': rs.length ? meanStd(rs.map((r) => last(r).dLoss)).mean : null,
        'paper, Fig. 5': method === 'GAN' ? 'fails to learn' : 'learns the mixture',
      };
    }),
  );
  const sweep = runs.filter((r) => r.set === 'ring' && r.seed === runs[0]?.seed);
  const points = [...new Set(sweep.map((r) => `${r.lrD}/${r.dSteps}`))];
  const sweepRows = points.map((k) => {
    const at = (m: string) => sweep.find((r) => `${r.lrD}/${r.dSteps}` === k && r.method === m);
    const cell = (r: GanRun | undefined) =>
      r ? `${last(r).covered} / ${(100 * last(r).highQuality).toFixed(1)}` : '—';
    const any = sweep.find((r) => `${r.lrD}/${r.dSteps}` === k)!;
    return {
      lr_D: any.lrD,
      'D steps': any.dSteps,
      'GAN: modes / near %': cell(at('GAN')),
      'mixup-GAN: modes / near %': cell(at('mixup-GAN')),
    };
  });
  const strip: StripRow[] = main.map((r) => ({
    group: `${r.set}, ${r.method}`,
    side: 'mixup-lab',
    seed: r.seed,
    value: 100 * last(r).highQuality,
  }));
  const curves = sets.flatMap((set) =>
    GAN_METHODS.flatMap((method) => {
      const rs = of(set, method);
      const its = [...new Set(rs.flatMap((r) => r.history.map((h) => h.iteration)))].sort((a, b) => a - b);
      return its.map((iteration) => {
        const hs = rs
          .map((r) => r.history.find((h) => h.iteration === iteration))
          .filter((h): h is GanCheckpoint => !!h);
        const mean = (f: (h: GanCheckpoint) => number) => meanStd(hs.map(f)).mean;
        return {
          set,
          method,
          iteration,
          'modes covered %': mean((h) => (100 * h.covered) / h.modes),
          'points near a mode %': mean((h) => 100 * h.highQuality),
        };
      });
    }),
  );
  const setFindings = sets.map((set): GanSetFinding => {
    const near = Object.fromEntries(GAN_METHODS.map((m) => [m, bySeed(of(set, m), (c) => 100 * c.highQuality)]));
    const covered = Object.fromEntries(
      GAN_METHODS.map((m) => [m, bySeed(of(set, m), (c) => (100 * c.covered) / c.modes)]),
    );
    return { set, nearMode: near, covered, claim: raises(effectBetween(near.GAN, near['mixup-GAN'])) };
  });
  // A run is stable when it covers at least half the modes at the end: counted over every run, sweep included.
  const stable = Object.fromEntries(
    GAN_METHODS.map((m) => {
      const rs = runs.filter((r) => r.method === m);
      return [m, { runs: rs.length, stable: rs.filter((r) => last(r).covered >= last(r).modes / 2).length }];
    }),
  );
  const perSet = setFindings
    .map((f) => {
      const e = effectBetween(f.nearMode.GAN, f.nearMode['mixup-GAN']);
      // Baseline GAN against the mixup-GAN: "higher" means the mixup-GAN has the larger share.
      const more = compared(e, "the GAN's");
      return `${f.set}: the mixup-GAN's share of points near a mode is ${more} over ${plural(f.nearMode.GAN.size, 'seed')}, so the claim ${f.claim === null ? 'cannot be read (fewer than two seeds a side)' : CLAIM_WORDS[f.claim]}`;
    })
    .join('; ');
  const sentence =
    `At the last iteration the plain GAN covers at least half of the modes in ${stable.GAN.stable} of ${stable.GAN.runs} runs, ` +
    `the mixup-GAN in ${stable['mixup-GAN'].stable} of ${stable['mixup-GAN'].runs} (every set, seed and sweep setting). ${perSet}.`;
  return { rows, sweepRows, strip, curves, finding: { sets: setFindings, stable, sentence } };
}
