/** Notebook 8's experiment: the paper's ablation (section 3.8), every variant of lib/methods at each weight decay. */
import { ABLATION_DEFAULTS } from '../experiments/ablation';
import { ablationRuns } from '../experiments/report-runs';
import { ablationComparison } from '../findings/ablation';
import { ourRuns } from '../findings/ours';
import { experiment } from './experiment';

export const ablation = experiment({
  notebook: '08-ablation',
  defaults: ABLATION_DEFAULTS,
  runs: ablationRuns,
  async results({ trained }) {
    for (const w of trained) w.run.model.dispose();
    return ourRuns(trained, trained);
  },
  // Beside the authors' two published rows (in the table), not a reference run.
  reference: () => null,
  compare(ours, _, P) {
    const c = ablationComparison(ours, P.weightDecays, P.alpha);
    return { ...c, curves: [], finding: { sentence: c.findings.map((f) => f.sentence).join(' ') } };
  },
});
