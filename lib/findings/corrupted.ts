/**
 * Notebook 3's comparison: training on partly random labels (the paper's section 3.4). Per group of runs (a noise level
 * on one protocol), ours over seeds beside the PyTorch reference at the same protocol and the paper, and the finding on
 * the paper's three points, computed: ERM memorises the random labels and its last-epoch error rises above its best;
 * mixup memorises fewer of them; mixup ends with a lower test error than ERM (and than ERM with dropout, where run).
 */
import type { CifarParams } from '../experiments/cifar';
import { CorruptedGroup, protocolName } from '../experiments/report-runs';
import { PAPER } from '../reference/paper';
import { ReferenceRun, referenceRunsFor } from '../reference/runs';
import type { RunResult } from '../runs/cache';
import type { Effect } from '../stats';
import { bestTestError, lastExtra, lastTestError } from '../train/history';
import {
  compared,
  effectBetween,
  lowers,
  meanOf,
  OurRun,
  PerSeed,
  perSeed,
  plural,
  raises,
  referencePerSeed,
  seedsOf,
  spreadCell,
  StripRow,
  stripRows,
  Verdict,
  verdictWords,
} from './common';
import { methodAlpha } from '../methods';

/** Test error % best over the scored epochs, after the last, and the redrawn labels left unlearnt at the end. */
const MEASURES = {
  best: (r: RunResult) => 100 * bestTestError(r.history),
  last: (r: RunResult) => 100 * lastTestError(r.history),
  unlearnt: (r: RunResult) => 100 * lastExtra(r.history, 'corruptedTrainError'),
};
type Measure = keyof typeof MEASURES;
const REFERENCE_PICK: Record<Measure, (r: ReferenceRun) => number | null> = {
  best: (r) => r.best,
  last: (r) => r.last,
  unlearnt: (r) => r.corruptedTrain,
};

/** One method of one group: each measure per seed, ours and the reference's (empty where it was not run). */
export type MethodMeasures = Record<Measure, { ours: PerSeed; reference: PerSeed }>;

export interface CorruptedGroupFinding {
  group: string;
  noise: number;
  methods: Record<string, MethodMeasures>;
  /** ERM's last-epoch error above its best, mean over seeds (points): the cost of memorising. */
  ermRise: { ours: number; reference: number };
  /** Mixup leaves more of the random labels unlearnt than ERM. */
  memorisesLess: Verdict;
  /** Mixup's last-epoch test error below ERM's. */
  lowersError: Verdict;
  /** Mixup's last-epoch test error below ERM + dropout's (null where the group has no dropout rows). */
  beatsDropout: Verdict | null;
  sentence: string;
}

export interface CorruptedComparison {
  rows: Record<string, string | number | null>[];
  strip: StripRow[];
  /** Per scored epoch of the first seed trained here: error % on the redrawn labels, the untouched ones and the test set. */
  curves: { runs: string; method: string; epoch: number; set: string; error: number }[];
  findings: CorruptedGroupFinding[];
}

/**
 * `ours`: our runs, their group the group's label and their method the group's method names; `alpha`: mixup's α under
 * noise (the reference runs it at this α); `reference`: the reference's runs at a protocol.
 */
export function corruptedComparison(
  ours: OurRun[],
  groups: CorruptedGroup[],
  alpha: number,
  reference: (p: CifarParams) => ReferenceRun[] = referenceRunsFor,
): CorruptedComparison {
  const rows: Record<string, string | number | null>[] = [];
  const strip: StripRow[] = [];
  const findings = groups.map((g) => {
    const refRuns = reference(g.protocol);
    const methods: Record<string, MethodMeasures> = {};
    for (const m of g.methods) {
      const runs = ours.filter((r) => r.group === g.label && r.method === m.method);
      // The reference's runs of this very method (ERM and mixup at this α; it trains no dropout), never another's.
      const refAlpha = m.entry.reference ? methodAlpha(m.entry, alpha) : null;
      const measure = (k: Measure) => ({
        ours: perSeed(runs, MEASURES[k]),
        reference: refAlpha === null ? new Map() : referencePerSeed(refRuns, refAlpha, g.noise, REFERENCE_PICK[k]),
      });
      const mm = { best: measure('best'), last: measure('last'), unlearnt: measure('unlearnt') };
      methods[m.method] = mm;
      const paper = m.entry.paper ? PAPER.corrupted[m.entry.paper][String(g.noise)] : undefined;
      rows.push({
        noise: `${g.noise * 100}%`,
        protocol: protocolName(g.protocol),
        method: m.method,
        settings:
          [m.alpha ? `α = ${m.alpha}` : '', m.dropout ? `p = ${m.dropout}` : ''].filter(Boolean).join(', ') || '—',
        seeds: seedsOf(runs),
        'ours: best %': spreadCell(mm.best.ours),
        'ours: last %': spreadCell(mm.last.ours),
        'ours: redrawn labels left unlearnt %': spreadCell(mm.unlearnt.ours, 1),
        'reference: best %': refAlpha === null ? null : spreadCell(mm.best.reference),
        'reference: last %': refAlpha === null ? null : spreadCell(mm.last.reference),
        'reference: unlearnt %': refAlpha === null ? null : spreadCell(mm.unlearnt.reference, 1),
        'paper best / last (as reported)': paper ? paper.join(' / ') : null,
      });
      strip.push(...stripRows(`${g.noise * 100}% noise, ${m.method}`, mm.last.ours, mm.last.reference));
    }
    return groupFinding(g, methods);
  });
  const here = ours.filter((r) => r.source === 'here');
  const first = Math.min(...here.map((r) => r.seed));
  const curves = here
    .filter((r) => r.seed === first)
    .flatMap((r) =>
      r.run.history
        .filter((e) => e.testError !== null)
        .flatMap((e) => [
          {
            runs: r.group,
            method: r.method,
            epoch: e.epoch + 1,
            set: 'train, redrawn labels',
            error: 100 * e.extra.corruptedTrainError,
          },
          {
            runs: r.group,
            method: r.method,
            epoch: e.epoch + 1,
            set: 'train, untouched labels',
            error: 100 * e.extra.cleanTrainError,
          },
          { runs: r.group, method: r.method, epoch: e.epoch + 1, set: 'test', error: 100 * e.testError! },
        ]),
    );
  return { rows, strip, curves, findings };
}

function groupFinding(g: CorruptedGroup, methods: Record<string, MethodMeasures>): CorruptedGroupFinding {
  const erm = methods.ERM;
  const mixup = methods.mixup;
  const dropout = methods['ERM + dropout'];
  const rise = (side: 'ours' | 'reference') => meanOf(erm.last[side]) - meanOf(erm.best[side]);
  const both = <T>(f: (side: 'ours' | 'reference') => T) => ({ ours: f('ours'), reference: f('reference') });
  const memEffect = both((s) => effectBetween(erm.unlearnt[s], mixup.unlearnt[s]));
  const errEffect = both((s) => effectBetween(erm.last[s], mixup.last[s]));
  const dropEffect = dropout ? effectBetween(dropout.last.ours, mixup.last.ours) : null;
  const memorisesLess = { ours: raises(memEffect.ours), reference: raises(memEffect.reference) };
  const lowersError = { ours: lowers(errEffect.ours), reference: lowers(errEffect.reference) };
  // The reference runs no dropout rows: that side of the claim is not run.
  const beatsDropout = dropout ? { ours: lowers(dropEffect), reference: 'not run' as const } : null;
  const seeds = plural(erm.last.ours.size, 'seed');
  const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
  const cmp = (e: Effect | null, what: string) => compared(e, what);
  const sentence =
    `${g.label}, ${seeds} of ERM in ours: ERM ends with ${f1(meanOf(erm.unlearnt.ours))} % of the redrawn labels ` +
    `unlearnt (0 = all memorised) and its last-epoch error ${f1(rise('ours'))} points above its best ` +
    `(the reference: ${f1(meanOf(erm.unlearnt.reference))} % and ${f1(rise('reference'))} points); mixup leaves ` +
    `${f1(meanOf(mixup.unlearnt.ours))} % unlearnt and ends at ${f2(meanOf(mixup.last.ours))} % test error against ERM's ` +
    `${f2(meanOf(erm.last.ours))} %, ${cmp(errEffect.ours, "ERM's")}. ` +
    `The paper's point that mixup memorises fewer random labels ${verdictWords(memorisesLess)}; that it ends with ` +
    `a lower test error ${verdictWords(lowersError)}` +
    (beatsDropout
      ? `; that it beats ERM with dropout (ours: ${f2(meanOf(dropout.last.ours))} %) ${verdictWords(beatsDropout)}.`
      : '.');
  return {
    group: g.label,
    noise: g.noise,
    methods,
    ermRise: both(rise),
    memorisesLess,
    lowersError,
    beatsDropout,
    sentence,
  };
}
