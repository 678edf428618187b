/** The parameters cell's call: an experiment's profiles, the cell's literals over them (lib/experiments/profiles). */
import { BaseParams, Defaults, params as resolve, Profile, Resolved } from '../experiments/profiles';
import { noteParams } from './stale';

/**
 * `const P = lab.params(lab.cifar, { profile: 'quick', seeds: [1] })`: the experiment's parameters at the profile,
 * the cell's literals over them, then MIXUP_SEEDS / MIXUP_PARAMS (as lib/experiments/profiles' `params` says). Every
 * value is checked here, before anything trains: a mistake is one line naming the key, the value and the fix.
 */
export function params<T extends BaseParams>(
  experiment: { profiles: Record<Profile, T>; defaults: Defaults<T> },
  cell: Partial<T> & { profile?: Profile } = {},
  env: NodeJS.ProcessEnv = process.env,
): Resolved<T> {
  return noteParams(resolve(experiment.profiles, cell, env, experiment.defaults.choices));
}
