/**
 * Notebook 5's attacks on its trained models: per seed, FGSM and I-FGSM white-box on the seed's ERM and mixup models
 * (each attacks itself) and black-box (examples made on the seed's ERM, scored on a second ERM and on mixup).
 */
import { attackErrors } from '../attacks/fgsm';
import type { LabeledData } from '../data/dataset';
import type { CachedRun } from '../runs/cache';
import type { AdversarialParams, AdversarialRole, WantedRun } from './report-runs';

/** One error rate under attack, in percent; `seed` is the seed the models stand for, `eps` ε in units of 1/255. */
export interface AttackScore {
  attack: 'FGSM' | 'I-FGSM';
  mode: 'white-box' | 'black-box';
  target: 'ERM' | 'mixup';
  eps: number;
  error: number;
  seed: number;
}

/** Attacks each seed's three models, picked by their role (ERM, ERM #2, mixup); disposes of them once a seed is done. */
export function attackScores(
  trained: (WantedRun & { method: AdversarialRole; run: CachedRun })[],
  test: LabeledData,
  P: AdversarialParams,
): AttackScore[] {
  const out: AttackScore[] = [];
  const eps = P.epsilons.map((e) => e / 255);
  for (const seed of [...new Set(trained.map((w) => w.seed))]) {
    const role = (r: AdversarialRole) => {
      const hit = trained.find((w) => w.seed === seed && w.method === r);
      if (!hit)
        throw new Error(`seed ${seed} has no ${r} model among the runs given: pass adversarialRuns' runs whole`);
      return hit.run;
    };
    const models = { ERM: role('ERM'), 'ERM #2': role('ERM #2'), mixup: role('mixup') };
    const [erm, erm2, mix] = [models.ERM.model, models['ERM #2'].model, models.mixup.model];
    for (const [attack, iterations, limit] of [
      ['FGSM', 1, P.attackLimit],
      ['I-FGSM', P.iterations, P.iterativeLimit],
    ] as const) {
      const o = { iterations, limit };
      const white = [
        ...attackErrors(erm, { ERM: erm }, test, eps, o),
        ...attackErrors(mix, { mixup: mix }, test, eps, o),
      ];
      const black = attackErrors(erm, { ERM: erm2, mixup: mix }, test, eps, o);
      for (const [mode, rows] of [
        ['white-box', white],
        ['black-box', black],
      ] as const)
        for (const r of rows)
          out.push({
            attack,
            mode,
            target: r.target as 'ERM' | 'mixup',
            eps: Math.round(r.epsilon * 255),
            error: 100 * r.error,
            seed,
          });
    }
    for (const m of Object.values(models)) m.model.dispose();
  }
  return out;
}
