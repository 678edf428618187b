/** Notebook 4's experiment: ERM and mixup on the UCI sets (the paper's Table 5). */
import { UCI_DEFAULTS, uciResults, uciRuns } from '../experiments/uci';
import { uciComparison } from '../findings/uci';
import { experiment } from './experiment';

export const uci = experiment({
  notebook: '04-tabular-uci',
  defaults: UCI_DEFAULTS,
  runs: uciRuns,
  results: async ({ trained }) => uciResults(trained),
  // Beside the paper's table only, for now (the PyTorch reference has no UCI runs yet).
  reference: () => null,
  compare: (ours) => ({
    ...uciComparison(ours),
    strip: ours.map((r) => ({ group: `${r.set}, ${r.method}`, side: 'mixup-lab', seed: r.seed, value: r.error })),
    curves: [],
  }),
});
