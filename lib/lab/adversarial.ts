/** Notebook 5's experiment: FGSM against ERM and mixup models, white-box and black-box (the paper's section 3.5). */
import { attackJobs, attackScores } from '../experiments/adversarial';
import { ADVERSARIAL_DEFAULTS, adversarialRuns } from '../experiments/report-runs';
import type { AttackScore } from '../experiments/result-jobs';
import type { CachedResult } from '../runs/cache';
import { adversarialComparison } from '../findings/adversarial';
import { referenceRunsFor } from '../reference/runs';
import { experiment } from './experiment';

export const adversarial = experiment({
  notebook: '05-adversarial',
  defaults: ADVERSARIAL_DEFAULTS,
  // The attacks after the models they read: the pool computes a result job once the runs it needs are done.
  runs: (P) => [...adversarialRuns(P), ...attackJobs(P)],
  async results({ trained, computed }) {
    for (const w of trained) w.run.model.dispose();
    return attackScores(computed as { result: CachedResult<AttackScore[]> }[]);
  },
  reference: referenceRunsFor,
  compare: (scores, reference, P) => adversarialComparison(scores, reference, P.alpha, P.epsilons),
});
