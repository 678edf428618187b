/** Notebook 2's experiment: the methods named on one CIFAR-10 protocol, beside the PyTorch reference and the paper. */
import { loadCifar10 } from '../data/cifar10';
import { BETWEEN_LAMBDAS, inBetweenByMethod } from '../eval/between';
import { CIFAR_COMPARISON_DEFAULTS, cifarRuns } from '../experiments/report-runs';
import { BetweenByMethod, cifarComparison } from '../findings/cifar';
import type { OurRun } from '../findings/common';
import { ourRuns } from '../findings/ours';
import { referenceRunsFor } from '../reference/runs';
import { experiment } from './experiment';

export interface CifarResults {
  runs: OurRun[];
  /** Fig. 2's measures between training images, per method, on the first seed's models. */
  between: BetweenByMethod;
}

export const cifar = experiment({
  notebook: '02-cifar10',
  defaults: CIFAR_COMPARISON_DEFAULTS,
  runs: cifarRuns,
  async results({ trained }, P): Promise<CifarResults> {
    const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
    const first = trained.filter((w) => w.seed === P.seeds[0]);
    const models = Object.fromEntries(first.map((w) => [w.method, w.run.model]));
    const between = inBetweenByMethod(models, data.train, P.seeds[0], {
      pairs: Math.min(1000, data.train.n),
      lambdas: BETWEEN_LAMBDAS,
    });
    for (const w of trained) w.run.model.dispose();
    return { runs: ourRuns(trained, trained), between };
  },
  reference: referenceRunsFor,
  compare: (ours, reference, P) => cifarComparison(ours.runs, reference, P.alpha, ours.between, P.methods),
});
