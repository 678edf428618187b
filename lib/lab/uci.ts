/**
 * Notebook 4's experiment: ERM and mixup on the UCI sets (the paper's Table 5), α fixed and α chosen on validation, for
 * both feature scalings, beside the PyTorch reference on the same rows.
 */
import { UCI_DEFAULTS, uciResults, uciRuns } from '../experiments/uci';
import { uciComparison } from '../findings/uci';
import { uciReferenceRuns } from '../reference/uci';
import { experiment } from './experiment';

export const uci = experiment({
  notebook: '04-tabular-uci',
  defaults: UCI_DEFAULTS,
  runs: uciRuns,
  results: async ({ trained }) => uciResults(trained),
  reference: (P) => uciReferenceRuns(P),
  compare: (ours, reference, P) => uciComparison(ours, reference, P),
});
