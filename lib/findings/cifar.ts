/**
 * Notebook 2's comparison: ERM against mixup on one CIFAR-10 protocol, ours over seeds beside the PyTorch reference's
 * runs at the same protocol and beside the paper, and the finding on the paper's claim (mixup lowers the test error),
 * computed from the runs.
 */
import type { BetweenPoint } from '../eval/between';
import { ReferenceRun, referenceHistoryRows } from '../reference/runs';
import { historyRows } from '../charts/rows';
import type { Row } from '../charts/specs';
import { PAPER } from '../reference/paper';
import { method, Method, methodAlpha, methodLabel, MethodName, METHODS, PAPER_METHODS } from '../methods';
import { againstSpread, Effect, welchTest } from '../stats';
import { bestTestError, lastTestError } from '../train/history';
import {
  compared,
  effectBetween,
  lowers,
  meanOf,
  OurRun,
  pairedDifference,
  PerSeed,
  perSeed,
  plural,
  referenceSeedsWords,
  referencePerSeed,
  seedsOf,
  spreadCell,
  spreadOfSeeds,
  StripRow,
  stripRows,
  values,
  Verdict,
  verdictWords,
} from './common';

/** Fig. 2's two measures at one λ per method (this notebook's first seed), when measured. */
export type BetweenByMethod = Record<string, BetweenPoint[]>;

export interface CifarFinding {
  /** Last-epoch test error % per seed, ours and the reference's. */
  erm: { ours: PerSeed; reference: PerSeed };
  mixup: { ours: PerSeed; reference: PerSeed };
  /** ERM − mixup per seed (positive: mixup lower). */
  gain: { ours: PerSeed; reference: PerSeed };
  /** Mixup against ERM over seeds (Welch's test), ours and the reference's. */
  effect: { ours: Effect | null; reference: Effect | null };
  /** The paper's claim: mixup lowers the test error. */
  lowersError: Verdict;
  /** Each other method against mixup (Welch over seeds), ours and the reference's. */
  againstMixup: { method: string; ours: Effect | null; reference: Effect | null; lowers: Verdict; sentence: string }[];
  sentence: string;
}

export interface CifarComparison {
  rows: Record<string, string | number | null>[];
  strip: StripRow[];
  /** Learning curves of the runs trained here and of the reference's (test error %), for learningCurves. */
  curves: Row[];
  finding: CifarFinding;
}

/**
 * The table, seed strip and finding of the methods named (ERM and mixup by default; lib/methods): `ours` are our runs
 * (by their method's name), `reference` the reference's runs at the same protocol, `alpha` the protocol's mixup α;
 * `between` adds Fig. 2's measures at λ = ½. A method the reference never ran reads "not run" on its side; the finding
 * is the paper's claim, ERM against mixup.
 */
export function cifarComparison(
  ours: OurRun[],
  reference: ReferenceRun[],
  alpha: number,
  between: BetweenByMethod = {},
  methods: readonly MethodName[] = PAPER_METHODS,
): CifarComparison {
  const entries = methods.map(method);
  const of = (m: Method) => ours.filter((r) => r.method === m.name);
  const last = (m: Method) => perSeed(of(m), (r) => 100 * lastTestError(r.history));
  // The reference's runs of this very method (its α and layers), never another's.
  const refLast = (m: Method) =>
    m.reference
      ? referencePerSeed(reference, methodAlpha(m, alpha), 0, (r) => r.last, m.reference.layers)
      : (new Map() as PerSeed);
  const at = (m: Method, k: 'missRate' | 'gradNorm') => between[m.name]?.find((p) => p.lambda === 0.5)?.[k] ?? null;
  const rows = entries.map((m) => {
    const t = welchTest(values(last(m)), values(refLast(m)));
    const mine = spreadOfSeeds(last(m));
    return {
      method: methodLabel(m, methodAlpha(m, alpha)),
      seeds: seedsOf(of(m)),
      'ours: test error %, last epoch': spreadCell(last(m)),
      'ours: best scored epoch %': spreadCell(perSeed(of(m), (r) => 100 * bestTestError(r.history))),
      'PyTorch reference, same protocol': m.reference ? spreadCell(refLast(m)) : 'not run',
      'our mean against the reference seeds': mine ? againstSpread(mine.mean, spreadOfSeeds(refLast(m))) : null,
      "Welch's p, ours vs reference": t ? t.p.toFixed(2) : null,
      'paper, full CIFAR-10 (as reported)': paperError(m),
      ...(Object.keys(between).length
        ? { 'prediction misses at λ = ½ %': pct(at(m, 'missRate')), '‖∇ₓ loss‖ at λ = ½': at(m, 'gradNorm') }
        : {}),
    };
  });
  const erm = { ours: last(METHODS.ERM), reference: refLast(METHODS.ERM) };
  const mixup = { ours: last(METHODS.mixup), reference: refLast(METHODS.mixup) };
  const effect = {
    ours: effectBetween(erm.ours, mixup.ours),
    reference: effectBetween(erm.reference, mixup.reference),
  };
  const lowersError = { ours: lowers(effect.ours), reference: lowers(effect.reference) };
  const n = (m: PerSeed) => plural(m.size, 'seed');
  const sentence =
    `Over ${n(erm.ours)} of ERM and ${n(mixup.ours)} of mixup in ours (${referenceSeedsWords(erm.reference, mixup.reference)}), mixup's last-epoch test error is ${thanErm(effect.ours)} in ours ` +
    `(ERM ${fixed(meanOf(erm.ours))} %, mixup ${fixed(meanOf(mixup.ours))} %) and ` +
    `${thanErm(effect.reference)} in the PyTorch reference. The paper's claim (mixup lowers the error: ` +
    `${PAPER.cifar10PreActErr.erm} → ${PAPER.cifar10PreActErr.mixup} % on full CIFAR-10) ${verdictWords(lowersError)}.`;
  // Any other method against input mixup: does it beat it on this protocol, in ours and in the reference?
  const againstMixup = entries
    .filter((m) => m.name !== METHODS.ERM.name && m.name !== METHODS.mixup.name)
    .map((m) => {
      const e = { ours: effectBetween(mixup.ours, last(m)), reference: effectBetween(mixup.reference, refLast(m)) };
      const label = methodLabel(m, methodAlpha(m, alpha));
      const v = { ours: lowers(e.ours), reference: m.reference ? lowers(e.reference) : 'not run' } as Verdict;
      const said =
        ` ${label} against mixup α = ${alpha}: its last-epoch test error is ${compared(e.ours, "mixup's")} in ours ` +
        `(${fixed(meanOf(last(m)))} %, ${n(last(m))}) and ` +
        `${m.reference ? `${compared(e.reference, "mixup's")} in the PyTorch reference` : 'not run in the PyTorch reference'}; ` +
        `that it beats mixup ${verdictWords(v)}.`;
      return { method: m.name, ours: e.ours, reference: e.reference, lowers: v, sentence: said.trim() };
    });
  const curves = [
    ...ours
      .filter((r) => r.source === 'here')
      .flatMap((r) =>
        historyRows(`${r.method} s${r.seed}`, r.run.history).map((row) => ({ ...row, source: 'mixup-lab' })),
      ),
    ...entries.flatMap((m) =>
      m.reference
        ? referenceHistoryRows(reference, methodAlpha(m, alpha), 0, m.name, m.reference.layers).map((row) => ({
            ...row,
            source: 'PyTorch reference',
          }))
        : [],
    ),
  ];
  return {
    rows,
    curves,
    strip: entries.flatMap((m) => stripRows(methodLabel(m, methodAlpha(m, alpha)), last(m), refLast(m))),
    finding: {
      erm,
      mixup,
      gain: {
        ours: pairedDifference(erm.ours, mixup.ours),
        reference: pairedDifference(erm.reference, mixup.reference),
      },
      effect,
      lowersError,
      againstMixup,
      sentence: [sentence, ...againstMixup.map((a) => a.sentence)].join(' '),
    },
  };
}

const thanErm = (e: Effect | null) => compared(e, "ERM's");
/** The paper's full CIFAR-10 error for a method it reports there, else null. */
const paperError = (m: Method): number | null => {
  const reported = PAPER.cifar10PreActErr;
  return m.paper && m.paper in reported ? (reported[m.paper as keyof typeof reported] as number) : null;
};
const pct = (f: number | null) => (f === null ? null : 100 * f);
const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** Fig. 2's chart rows: prediction misses in % and the gradient norm, per method and λ. */
export function betweenRows(between: BetweenByMethod): Row[] {
  return Object.entries(between).flatMap(([method, pts]) =>
    pts.map((p) => ({ method, λ: p.lambda, 'prediction misses %': 100 * p.missRate, '‖∇ₓ loss‖': p.gradNorm })),
  );
}
