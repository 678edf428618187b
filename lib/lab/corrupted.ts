/** Notebook 3's experiment: ERM, mixup and the dropout rows under partly random labels (the paper's section 3.4). */
import { CORRUPTED_DEFAULTS, corruptedGroups, corruptedRuns } from '../experiments/report-runs';
import { corruptedComparison } from '../findings/corrupted';
import { ourRuns } from '../findings/ours';
import { referenceRunsFor } from '../reference/runs';
import { experiment } from './experiment';

export const corrupted = experiment({
  notebook: '03-corrupted-labels',
  defaults: CORRUPTED_DEFAULTS,
  runs: (P) => corruptedRuns(P),
  async results({ trained }) {
    for (const w of trained) w.run.model.dispose();
    return ourRuns(trained, trained);
  },
  // Each group stands beside the reference's runs of its own protocol.
  reference: () => referenceRunsFor,
  compare(ours, reference, P) {
    const c = corruptedComparison(ours, corruptedGroups(P), P.alpha, reference);
    return { ...c, finding: { sentence: c.findings.map((f) => f.sentence).join(' ') } };
  },
});
