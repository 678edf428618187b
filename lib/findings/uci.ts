/**
 * Notebook 4's comparison: ERM against mixup on each UCI set over seeds, beside the paper's Table 5, and the finding
 * per set, computed (the paper reports mixup lower or equal on every set).
 */
import type { UciRun } from '../experiments/uci';
import { PAPER } from '../reference/paper';
import { Claim, CLAIM_WORDS, describeEffect, effectBetween, lowers, meanOf, PerSeed, spreadCell } from './common';
import { METHODS, PAPER_METHODS } from '../methods';

const [ERM, MIXUP] = PAPER_METHODS;

/** The set that stands in for the paper's HTRU2 (not available here), and how tables and findings name it. */
const STAND_IN = 'spambase';
const setName = (set: string) => (set === STAND_IN ? 'spambase (stand-in for HTRU2)' : set);

export function uciComparison(runs: UciRun[]) {
  const sets = [...new Set(runs.map((r) => r.set))];
  const err = (set: string, m: string): PerSeed =>
    new Map(runs.filter((r) => r.set === set && r.method === m).map((r) => [r.seed, r.error]));
  const rows = sets.flatMap((set) =>
    PAPER_METHODS.map((method) => {
      const key = METHODS[method].paper;
      return {
        set: setName(set),
        method,
        seeds: [...err(set, method).keys()].join(', '),
        'test error % (ours)': spreadCell(err(set, method)),
        // HTRU2 is not available here: spambase stands in, and its rows name the paper's set it replaces.
        'paper (as reported)': PAPER.uci[key][set] ?? (set === STAND_IN ? PAPER.uci[key].htru2 : null),
      };
    }),
  );
  const bars = sets.flatMap((set) =>
    PAPER_METHODS.map((method) => ({ set: setName(set), method, 'test error %': meanOf(err(set, method)) })),
  );
  const perSet = sets.map((set) => {
    const effect = effectBetween(err(set, ERM), err(set, MIXUP));
    const claim: Claim = lowers(effect);
    return { set, effect, claim };
  });
  const sentence = perSet
    .map(
      (s) =>
        `${setName(s.set)}: mixup ${s.effect ? describeEffect(s.effect) : 'not run'}${s.claim === 'holds' ? '' : s.claim === null ? ' (too few seeds to test)' : ` (${CLAIM_WORDS[s.claim]})`}`,
    )
    .join('; ');
  return { rows, bars, finding: { sets: perSet, sentence: `Test error against ERM's, over seeds: ${sentence}.` } };
}
