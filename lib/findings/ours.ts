/**
 * Our runs of a comparison: those a notebook trained (or took from the run cache) and, for each configuration it asks
 * for, every run of it published in results/ at any seed. The notebook and the docs generator build their tables from
 * the same list, so each figure is computed once. A published run is matched to a wanted run by what the two are (data,
 * model and training but the seed), not by a list position or a key computed from data.
 */
import type { WantedRun } from '../experiments/report-runs';
import { RunResult, runKey } from '../runs/cache';
import { configKey, PublishedRun, publishedRuns } from '../runs/published';
import type { OurRun } from './common';

/** The same finished run seen twice (the cache's copy and its published one) counts once. */
const identity = (r: RunResult) => `${runKey(r.spec)}/${r.finishedAt}`;

/**
 * The runs trained here (`trained`: wanted runs with their result) and every published run of the same
 * configurations, each named by the wanted run's method and group; seeds are the runs' own.
 * `published`: results/ by default (read once).
 */
export function ourRuns(
  wanted: WantedRun[],
  trained: (WantedRun & { run: RunResult })[] = [],
  published: PublishedRun[] = publishedRuns(),
): OurRun[] {
  const out: OurRun[] = [];
  const seen = new Set<string>();
  const add = (r: OurRun) => {
    const k = `${r.method}\u0000${r.group}\u0000${identity(r.run)}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  };
  for (const t of trained)
    add({ method: t.method, group: t.group, seed: t.run.spec.train.seed, run: t.run, source: 'here' });
  // The wanted runs of each configuration ("same configuration, any seed": lib/runs/published's configKey).
  const byConfig = new Map<string, WantedRun[]>();
  for (const w of wanted) {
    const k = configKey(w.job);
    byConfig.set(k, [...(byConfig.get(k) ?? []), w]);
  }
  for (const p of published)
    for (const w of byConfig.get(configKey(p.run.spec)) ?? [])
      add({ method: w.method, group: w.group, seed: p.run.spec.train.seed, run: p.run, source: p.folder });
  return out;
}
