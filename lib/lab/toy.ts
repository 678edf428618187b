/** Notebook 1's experiment: ERM and mixup on two moons (the paper's Fig. 1b). */
import { TOY_DEFAULTS, toyResults, toyRuns } from '../experiments/toy';
import { toyComparison } from '../findings/toy';
import { experiment } from './experiment';

export const toy = experiment({
  notebook: '01-toy-2d',
  defaults: TOY_DEFAULTS,
  runs: toyRuns,
  results: ({ trained }, P) => toyResults(trained, P),
  // The paper's figure is a picture: there is no reference run to stand beside.
  reference: () => null,
  compare: (ours) => ({ ...toyComparison(ours.runs), curves: [] }),
});
