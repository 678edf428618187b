/**
 * The report: every notebook's experiment, in the order its runs are listed (CIFAR's long runs first), and every run a
 * whole report needs at a profile. `npm run runs -- manifest`, `npm run report`, `npm run publish` and `npm run sweep`
 * read this one list, so what they train is what the notebooks ask for.
 */
import { jobKey, jobNeeds, RunJob, Wanted } from '../experiments/jobs';
import { BaseParams, notebookParams } from '../experiments/profiles';
import { ablation } from './ablation';
import { adversarial } from './adversarial';
import { cifar } from './cifar';
import { corrupted } from './corrupted';
import type { Comparison, Experiment } from './experiment';
import { gan } from './gan';
import { speech } from './speech';
import { toy } from './toy';
import { uci } from './uci';

type AnyExperiment = Experiment<BaseParams, unknown, unknown, Comparison>;

export const EXPERIMENTS = [
  cifar,
  corrupted,
  adversarial,
  ablation,
  toy,
  uci,
  speech,
  gan,
] as unknown as readonly AnyExperiment[];

/**
 * Every run a whole report needs at a profile (MIXUP_SEEDS / MIXUP_PARAMS of `env` applied as the notebooks apply
 * them), each once, labelled by the notebook that asks for it first (of `notebooks`, when given). Jobs that read other
 * runs (an attack's models) come after every run, which the pool needs done before it computes them.
 */
export function reportRuns(
  env: NodeJS.ProcessEnv = process.env,
  o: { lenient?: boolean; notebooks?: string[] } = {},
): (Wanted<RunJob> & { notebook: string })[] {
  const all = EXPERIMENTS.flatMap((e) => {
    let P;
    try {
      P = notebookParams(e.profiles, env, e.defaults.choices);
    } catch (err) {
      // lenient: a notebook whose parameters reject MIXUP_PARAMS (a key it does not have) is left out, not an error.
      if (o.lenient && /unknown key/.test((err as Error).message)) return [];
      throw err;
    }
    return e.runs(P).map((w) => ({
      label: w.label,
      method: w.method,
      group: w.group,
      seed: w.seed,
      job: w.job,
      notebook: e.notebook,
    }));
  });
  const ordered = [...all.filter((w) => !jobNeeds(w.job).length), ...all.filter((w) => jobNeeds(w.job).length)];
  const seen = new Set<string>();
  return ordered.filter((w) => {
    if (o.notebooks && !o.notebooks.includes(w.notebook)) return false;
    const k = jobKey(w.job);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
