/**
 * Finished runs published with the project: the small result.json of a run (spec, per-epoch history, time; no
 * weights) under results/<profile>/<run key>.json, tracked in git. A run that takes hours may outlive the machine it
 * ran on; the figures the docs and the notebooks quote keep their evidence here, and a notebook shows the
 * published run beside the one it just trained or took from the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../data/paths';
import { RunResult, RunSpec, runKey, runsRoot } from './cache';

export const PUBLISHED_DIR = process.env.MIXUP_PUBLISHED_DIR ?? path.join(PROJECT_ROOT, 'results');

/** The published result of exactly this configuration and seed, from any profile folder, or null. */
export function publishedResult(spec: RunSpec, root = PUBLISHED_DIR): RunResult | null {
  if (!fs.existsSync(root)) return null;
  const key = runKey(spec);
  for (const d of fs.readdirSync(root, { withFileTypes: true })) {
    const file = path.join(root, d.name, `${key}.json`);
    if (d.isDirectory() && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as RunResult;
  }
  return null;
}

/** A published run and the folder under results/ that holds it (its label in tables: "lowdata", "lowdata/reruns-…"). */
export interface PublishedRun {
  folder: string;
  run: RunResult;
}

/**
 * Every published run result under `root`, in any folder depth, sorted by folder and file. Other published measures
 * (FGSM tables, timings) sit beside the runs: only run results have a spec with data and a history.
 */
export function publishedRuns(root = PUBLISHED_DIR): PublishedRun[] {
  const out: PublishedRun[] = [];
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const file = path.join(dir, d.name);
      if (d.isDirectory()) walk(file);
      else if (d.name.endsWith('.json')) {
        let r: Partial<RunResult>;
        try {
          r = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (e) {
          throw new Error(`${file} is not valid JSON (${(e as Error).message}): restore it from git or delete it`);
        }
        if (r.spec?.data && r.spec.train && Array.isArray(r.history))
          out.push({ folder: path.relative(root, dir), run: r as RunResult });
      }
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out;
}

/** A run's configuration without its seed (and label-noise seed): runs of one protocol and method share it. */
export function configKey(spec: RunSpec): string {
  // Label noise is drawn from its own seed (the run's, in notebook 3): another noise draw is another seed too.
  return runKey({
    ...spec,
    data: spec.data.corruptionSeed === undefined ? spec.data : { ...spec.data, corruptionSeed: 0 },
    train: { ...spec.train, seed: 0 },
  });
}

/**
 * Every published result of `spec`'s configuration whatever its seed, from any folder under results/ (reruns of one
 * seed included: trained with other float rounding, they scatter as other seeds do). Our own spread over seeds on a
 * protocol, to set beside the PyTorch reference's.
 */
export function publishedAcrossSeeds(spec: RunSpec, root = PUBLISHED_DIR): RunResult[] {
  const want = configKey(spec);
  return publishedRuns(root)
    .filter((p) => configKey(p.run.spec) === want)
    .map((p) => p.run);
}

/**
 * Copies the finished runs in `runsDir` whose spec passes `keep` into results/<profile>/; returns the files written.
 * A published file is never overwritten with another run's result (same key = same configuration and seed).
 */
export function publishRuns(
  profile: string,
  keep: (spec: RunSpec) => boolean,
  runsDir = runsRoot(),
  root = PUBLISHED_DIR,
): string[] {
  if (!fs.existsSync(runsDir)) throw new Error(`no run cache at ${runsDir}: run the notebooks first`);
  const out = path.join(root, profile);
  const written: string[] = [];
  for (const key of fs.readdirSync(runsDir).sort()) {
    const file = path.join(runsDir, key, 'result.json');
    if (!fs.existsSync(file)) continue;
    const result = JSON.parse(fs.readFileSync(file, 'utf8')) as RunResult;
    // Runs of other kinds share the cache (a GAN's measures): only classifier runs have a spec with data and a history.
    if (!result.spec?.data || !Array.isArray(result.history) || !keep(result.spec)) continue;
    if (runKey(result.spec) !== key)
      throw new Error(
        `${file} holds the spec of another run (key ${runKey(result.spec)}): the cache folder was renamed or edited`,
      );
    fs.mkdirSync(out, { recursive: true });
    const target = path.join(out, `${key}.json`);
    if (!fs.existsSync(target)) fs.copyFileSync(file, target);
    written.push(target);
  }
  return written;
}
