/** The parameters cell's call: an experiment's profiles, the cell's literals over them (lib/experiments/profiles). */
import { BaseParams, params as resolve, Profile, Resolved } from '../experiments/profiles';

/**
 * `const P = lab.params(lab.cifar, { profile: 'quick', seeds: [1] })`: the experiment's parameters at the profile,
 * the cell's literals over them, then MIXUP_SEEDS / MIXUP_PARAMS (as lib/experiments/profiles' `params` says).
 */
export function params<T extends BaseParams>(
  experiment: { profiles: Record<Profile, T> },
  cell: Partial<T> & { profile?: Profile } = {},
  env: NodeJS.ProcessEnv = process.env,
): Resolved<T> {
  return resolve(experiment.profiles, cell, env);
}
