/**
 * Notebook 5's attacks on its trained models, as result jobs (lib/experiments/result-jobs): per seed and attack (FGSM,
 * I-FGSM), white-box on the seed's ERM and mixup models (each attacks itself) and black-box (examples made on the
 * seed's ERM, scored on a second ERM and on mixup). A sweep is keyed by its models' specs and its own parameters, so it
 * is computed once, by whichever process or worker takes it, and read back from the run cache.
 */
import type { CachedResult } from '../runs/cache';
import type { AdversarialParams } from './report-runs';
import { cifarJob } from './jobs';
import type { Wanted } from './jobs';
import type { AttackScore, AttackSpec, ResultJob } from './result-jobs';

export type { AttackScore };

/** Notebook 5's sweeps: each seed's FGSM and I-FGSM, on the models `adversarialRuns` trains. */
export function attackJobs(P: AdversarialParams): Wanted<ResultJob>[] {
  return P.seeds.flatMap((seed) =>
    (
      [
        ['FGSM', 1, P.attackLimit],
        ['I-FGSM', P.iterations, P.iterativeLimit],
      ] as const
    ).map(([attack, iterations, limit]) => {
      const spec: AttackSpec = {
        seed,
        models: {
          ERM: cifarJob(P, 0, seed),
          'ERM #2': cifarJob(P, 0, seed + P.secondErmSeed - 1),
          mixup: cifarJob(P, P.alpha, seed),
        },
        attack,
        epsilons: P.epsilons,
        iterations,
        limit,
      };
      return {
        method: attack,
        group: `seed ${seed}`,
        seed,
        label: `${attack}, seed ${seed}`,
        job: { kind: 'attacks', spec: spec as unknown as Record<string, unknown> },
      };
    }),
  );
}

/** Every score of the computed sweeps, seed by seed. */
export function attackScores(computed: { result: CachedResult<AttackScore[]> }[]): AttackScore[] {
  return computed.flatMap((c) => c.result.result);
}
