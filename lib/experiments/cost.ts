/**
 * What a run costs, in seconds of one training worker: what the pool needs to train the longest runs first and to say
 * how long is left. Recorded where it can be — the seconds of the run's own published result, or of runs of its
 * configuration at other seeds — and only where nothing like it was recorded, scaled by the examples it trains and
 * scores (its set's size, lib/data/sets) and its network's weight from the recorded runs of the same set and network,
 * else of any.
 */
import { dataSet } from '../data/sets';
import type { RunSpec } from '../runs/cache';
import { configKey, PublishedRun } from '../runs/published';
import type { RunJob } from './jobs';
import { isResultJob, resultKind } from './result-jobs';

/** Examples trained and scored, weighted by the network: a width-8 step costs about half a width-16 one (`npm run bench`). */
function work(spec: RunSpec): number {
  const n = dataSet(spec.data).examples(spec.data);
  const t = spec.train;
  const m = spec.model as { width?: number; hidden?: number[] };
  const weight = m.width ?? (m.hidden ? m.hidden.reduce((a, h) => a + h, 0) / 256 : 8);
  const scored = Math.ceil(t.epochs / (t.evalEvery ?? 1)) + 1;
  // Scoring an example costs about a third of training on it (a forward pass against forward and backward).
  return weight * (t.epochs * n.train + (scored * n.test) / 3);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface JobCost {
  seconds: number;
  /** 'recorded': this run or its configuration was timed before; 'scaled': estimated from other runs. */
  from: 'recorded' | 'scaled';
}

export function jobCost(job: RunJob, published: PublishedRun[]): JobCost {
  // A result job's own estimate: results are not published with seconds the way runs are.
  if (isResultJob(job)) return { seconds: resultKind(job).cost(job.spec), from: 'scaled' };
  const spec = job;
  const timed = published.filter((p) => p.run.seconds > 0);
  const config = configKey(spec);
  const same = timed.filter((p) => configKey(p.run.spec) === config);
  if (same.length) return { seconds: median(same.map((p) => p.run.seconds)), from: 'recorded' };
  const kin = (p: PublishedRun) => p.run.spec.data.set === spec.data.set && p.run.spec.model.kind === spec.model.kind;
  const like = timed.some(kin) ? timed.filter(kin) : timed;
  const rate = like.length ? median(like.map((p) => p.run.seconds / work(p.run.spec))) : 1e-6;
  return { seconds: rate * work(spec), from: 'scaled' };
}

/** The jobs' indices, longest first (ties keep their order): a pool that starts them so ends with short runs. */
export function longestFirst(costs: number[]): number[] {
  return costs.map((_, i) => i).sort((a, b) => costs[b] - costs[a] || a - b);
}

/**
 * What a job asks of a worker, in examples trained × width² × epochs: the measure a queue worker's ceiling bounds
 * (lib/cluster/runner). Nets without a width (LeNet, MLPs) count as width 8, the report's narrowest; a result job gives
 * its own size in the same units.
 */
export function jobWork(job: RunJob): number {
  if (isResultJob(job)) return resultKind(job).work(job.spec);
  const n = dataSet(job.data).examples(job.data);
  const width = (job.model as { width?: number }).width ?? 8;
  return n.train * width * width * job.train.epochs;
}

/** The largest `jobWork` among `jobs` (a report's manifest): what a worker's default ceiling is sized to. */
export function largestWork(jobs: RunJob[]): number {
  return jobs.reduce((a, j) => Math.max(a, jobWork(j)), 0);
}
