/** Notebook 7's experiment: a GAN and a mixup-GAN on 2-D mixtures (the paper's section 3.7). */
import { GAN_DEFAULTS, ganHistories, ganRuns, WantedGan } from '../experiments/gan';
import type { GanResult } from '../gan/train';
import type { CachedResult } from '../runs/cache';
import { ganComparison } from '../findings/gan';
import { experiment } from './experiment';

export const gan = experiment({
  notebook: '07-gan-2d',
  defaults: GAN_DEFAULTS,
  runs: ganRuns,
  results: async ({ computed }) => ganHistories(computed as (WantedGan & { result: CachedResult<GanResult> })[]),
  // The paper shows pictures of its GANs: no reference runs to stand beside.
  reference: () => null,
  compare: (runs) => ganComparison(runs),
});
