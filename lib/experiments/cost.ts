/**
 * What a CIFAR job costs, in seconds of one training worker: what the pool needs to train the longest runs first and to
 * say how long is left. Recorded where it can be — the seconds of the job's own published run, or of runs of its
 * configuration at other seeds — and only where nothing like it was recorded, scaled from every recorded run by the
 * images it trains and scores at its width.
 */
import type { RunSpec } from '../runs/cache';
import type { PublishedRun } from '../runs/published';
import { isRunOf, jobSpec, RunJob } from './jobs';

/** Images trained and scored, weighted by width: a width-8 step costs about half a width-16 one (`npm run bench`). */
function work(spec: RunSpec): number {
  const d = spec.data as { trainLimit?: number; testLimit?: number };
  const t = spec.train as { epochs: number; evalEvery?: number };
  const width = (spec.model as { width?: number }).width ?? 8;
  const scored = Math.ceil(t.epochs / (t.evalEvery ?? 1)) + 1;
  // Scoring an image costs about a third of training on it (a forward pass against forward and backward).
  return width * (t.epochs * (d.trainLimit ?? 0) + (scored * (d.testLimit ?? 0)) / 3);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface JobCost {
  seconds: number;
  /** 'recorded': this run or its configuration was timed before; 'scaled': estimated from other runs. */
  from: 'recorded' | 'scaled';
}

export function jobCost(job: RunJob, published: PublishedRun[]): JobCost {
  const timed = published.filter((p) => p.run.seconds > 0);
  const same = timed.filter((p) => isRunOf(job, p.run.spec));
  if (same.length) return { seconds: median(same.map((p) => p.run.seconds)), from: 'recorded' };
  const cifar = timed.filter((p) => p.run.spec.data.set === 'cifar10');
  const rate = cifar.length ? median(cifar.map((p) => p.run.seconds / work(p.run.spec))) : 1e-6;
  return { seconds: rate * work(jobSpec(job)), from: 'scaled' };
}

/** The jobs' indices, longest first (ties keep their order): a pool that starts them so ends with short runs. */
export function longestFirst(costs: number[]): number[] {
  return costs.map((_, i) => i).sort((a, b) => costs[b] - costs[a] || a - b);
}
