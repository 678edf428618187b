/**
 * The notebooks' comparisons at one profile, from every run published under results/: each is the experiment's
 * `compare` the notebook's `lab.run` calls (lib/lab), given the notebook's own wanted runs (its parameters at that
 * profile) and every published run of their configurations. The docs therefore print the figures the notebooks compute,
 * computed once.
 */
import type { AttackScore } from '../../lib/experiments/adversarial';
import { notebookParams, Profile } from '../../lib/experiments/profiles';
import { ablationRuns, cifarRuns, corruptedGroups, corruptedRuns } from '../../lib/experiments/report-runs';
import { ablation, adversarial, cifar, corrupted } from '../../lib/lab';
import type { OurRun } from '../../lib/findings/common';
import { ourRuns } from '../../lib/findings/ours';
import { allPublished, readJson } from './common';
import { PAPER_METHODS } from '../../lib/methods';

const [ERM, MIXUP] = PAPER_METHODS;

const at = (profile: Profile) => ({ MIXUP_PROFILE: profile });

/** Notebook 2 (ERM against mixup) at `profile`. */
export function cifarAt(profile: Profile) {
  const P = notebookParams(cifar.profiles, at(profile));
  const runs = ourRuns(cifarRuns(P), [], allPublished());
  const reference = cifar.reference(P);
  return { P, runs, reference, ...cifar.compare({ runs, between: {} }, reference, P) };
}

/** Notebook 3 (partly random labels) at `profile`. */
export function corruptedAt(profile: Profile) {
  const P = notebookParams(corrupted.profiles, at(profile));
  const groups = corruptedGroups(P);
  const runs = ourRuns(corruptedRuns(P, groups), [], allPublished());
  const cmp = corrupted.compare(runs, corrupted.reference(P), P);
  // The group on the profile's own protocol (dropout rows, where asked for, may train on another).
  const own = groups.findIndex((g) => g.protocol === P);
  return { P, groups, runs, ...cmp, own: { group: groups[own], finding: cmp.findings[own] } };
}

/** How many of `runs` are of `method` (reruns of a seed included). */
export const runCount = (runs: OurRun[], method: string) => runs.filter((r) => r.method === method).length;

/** One row of results/<profile>/fgsm-exact.json: a model's FGSM error at each of the file's ε. */
export interface FgsmRow {
  attack: string;
  target: string;
  seed: number;
  run?: string;
  source?: string;
  targetRun?: string;
  error: number[];
}

/**
 * Notebook 5's FGSM comparison at `profile`, from the attacks recorded in results/<profile>/fgsm-exact.json (the
 * white-box and black-box rows; the file's other designs are not notebook 5's). A black-box row's ERM target is the
 * seed's other ERM, whatever the file names it.
 */
export function fgsmAt(profile: Profile) {
  const P = notebookParams(adversarial.profiles, at(profile));
  const file = readJson<{ eps: number[]; rows: FgsmRow[] }>(`${profile}/fgsm-exact.json`);
  const scores: AttackScore[] = file.rows
    .filter((r) => r.attack === 'white' || r.attack === 'black')
    .flatMap((r) =>
      file.eps.map((eps, i) => ({
        attack: 'FGSM' as const,
        mode: r.attack === 'white' ? ('white-box' as const) : ('black-box' as const),
        target: r.target === MIXUP ? MIXUP : ERM,
        eps,
        error: r.error[i],
        seed: r.seed,
      })),
    );
  return { P, file, ...adversarial.compare(scores, adversarial.reference(P), { ...P, epsilons: file.eps }) };
}

/** Notebook 8 (the ablation) at `profile`. */
export function ablationAt(profile: Profile) {
  const P = notebookParams(ablation.profiles, at(profile));
  return { P, ...ablation.compare(ourRuns(ablationRuns(P), [], allPublished()), null, P) };
}
