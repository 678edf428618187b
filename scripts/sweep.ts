/**
 * `npm run sweep -- --executor redis://host:port[/queue] --profile P [--seeds 1,2,3] [--grid JSON] [--wait]`: queues every
 * CIFAR run a report needs (or a seeds × MIXUP_PARAMS grid of them: `--grid '[{"epochs": 60}, {"epochs": 120}]'`, each
 * point given to every notebook that takes its keys) for `npm run worker` processes to train, and prints a table of
 * runs queued, training (and where), done and failed. `--wait` prints it again as it changes, until none is left to train.
 * Runs already in the run cache (MIXUP_RUNS_DIR) count as done and are not queued.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { assertReachable, connection, readExecutor } from '../lib/cluster/executor';
import { enqueue, watchWorkers } from '../lib/cluster/queue';
import { PROFILES } from '../lib/experiments/profiles';
import type { QueuedRun, RunProgress } from '../lib/cluster/runner';
import { runsRoot } from '../lib/runs/cache';
import { parseCli } from './cli';
import { manifest } from './runs';

const USAGE =
  'npm run sweep -- --executor redis://host:port[/queue] --profile P [--seeds 1,2,3] [--grid JSON] [--wait]';

export type SweepState = 'done' | 'queued' | 'training' | 'failed' | 'not queued';
export interface SweepRow {
  key: string;
  label: string;
  state: SweepState;
  where: string;
}

/** Where each run stands: finished in the run cache, or its job's state on the queue. */
export async function sweepStatus(
  queue: Queue<QueuedRun>,
  runs: { key: string; label: string }[],
  root = runsRoot(),
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const r of runs) {
    if (fs.existsSync(path.join(root, r.key, 'result.json'))) {
      rows.push({ ...r, state: 'done', where: '' });
      continue;
    }
    // A job another client wrote may not be readable: its state still is.
    const job = await queue.getJob(r.key).catch(() => undefined);
    const state = job ? await job.getState() : await queue.getJobState(r.key);
    // What a job's progress and reason say is printed quoted: a host name could hold terminal escapes.
    const said = (job?.progress as RunProgress | undefined)?.host;
    const host = typeof said === 'string' ? JSON.stringify(said) : '';
    if (state === 'active') rows.push({ ...r, state: 'training', where: host });
    else if (state === 'failed')
      rows.push({
        ...r,
        state: 'failed',
        where: `${host}${job?.failedReason ? `: ${JSON.stringify(job.failedReason)}` : ''}`,
      });
    else if (state === 'completed') rows.push({ ...r, state: 'done', where: host });
    else if (state === 'unknown') rows.push({ ...r, state: 'not queued', where: '' });
    else rows.push({ ...r, state: 'queued', where: '' });
  }
  return rows;
}

export function formatStatus(rows: SweepRow[]): string {
  const count = (s: SweepState) => rows.filter((r) => r.state === s).length;
  const head =
    `${rows.length} runs: ${count('queued')} queued, ${count('training')} training, ${count('done')} done, ${count('failed')} failed` +
    (count('not queued') ? `, ${count('not queued')} not queued` : '');
  const lines = rows
    .filter((r) => r.state !== 'done')
    .map((r) => `  ${r.state.padEnd(10)} ${r.label} (${r.key})${r.where ? ` ${r.where}` : ''}`);
  return [head, ...lines].join('\n');
}

async function main(): Promise<void> {
  const { values: v } = parseCli(
    {
      options: {
        executor: { type: 'string', default: process.env.MIXUP_EXECUTOR },
        profile: { type: 'string', default: 'quick' },
        seeds: { type: 'string' },
        grid: { type: 'string' },
        wait: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (!v.executor) throw new Error(`no queue to fill: ${USAGE} (or set MIXUP_EXECUTOR)`);
  let grid: (Record<string, unknown> | null)[] = [null];
  if (v.grid) {
    try {
      grid = JSON.parse(v.grid) as Record<string, unknown>[];
    } catch (e) {
      throw new Error(
        `--grid is not JSON (${(e as Error).message}): give a list of MIXUP_PARAMS objects, e.g. '[{"epochs": 60}]'`,
      );
    }
    if (!Array.isArray(grid) || !grid.length)
      throw new Error('--grid takes a non-empty JSON list of MIXUP_PARAMS objects');
  }
  const executor = readExecutor(v.executor)!;
  if (!(PROFILES as readonly string[]).includes(v.profile))
    throw new Error(`unknown profile '${v.profile}': use one of ${PROFILES.join(', ')}`);
  await assertReachable(executor);
  const runs: { key: string; label: string; job: QueuedRun['job'] }[] = [];
  for (const point of grid) {
    const params = point ? JSON.stringify(point) : undefined;
    for (const r of manifest(v.profile, v.seeds, params, { lenient: true }).runs) {
      if (!runs.some((x) => x.key === r.key))
        runs.push({ key: r.key, label: `${r.label}${params ? ` ${params}` : ''}`, job: r.job });
    }
  }
  const root = runsRoot();
  const queue = new Queue<QueuedRun>(executor.queue, { connection: connection(executor) });
  try {
    let queued = 0;
    for (const r of runs) {
      if (fs.existsSync(path.join(root, r.key, 'result.json'))) continue;
      await enqueue(queue, r.key, r.job, (l) => console.log(`sweep: ${l}`));
      queued++;
    }
    console.log(
      `sweep: ${queued} of ${runs.length} runs sent to ${executor.url} (the rest are in the run cache ${root})`,
    );
    let last = '';
    let lastTaken = Date.now();
    const stopWatching = v.wait
      ? watchWorkers(queue, executor, {
          log: (l) => console.log(`sweep: ${l}`),
          lastTaken: () => lastTaken,
          onLost: (why) => {
            // The status loop would wait on Redis for ever.
            console.error(`sweep: lost the queue ${executor.queue} (MIXUP_EXECUTOR=${executor.url}): ${why}`);
            process.exit(1);
          },
        })
      : () => {};
    for (;;) {
      const rows = await sweepStatus(queue, runs, root);
      const text = formatStatus(rows);
      if (text !== last) {
        console.log(text);
        lastTaken = Date.now();
      }
      last = text;
      if (!v.wait || rows.every((r) => r.state === 'done' || r.state === 'failed')) {
        if (rows.some((r) => r.state === 'failed')) process.exitCode = 1;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    stopWatching();
  } finally {
    await queue.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
