/**
 * `npm run worker -- --executor redis://host:port[/queue] [--concurrency N] [--threads T]`: a long-running queue worker
 * for one machine (lib/cluster/runner). SIGINT or SIGTERM: it takes no more runs, a run in progress stops after its
 * next checkpoint and goes back to the queue, then the worker exits. `--lock-ms` / `--stalled-ms` set how soon a run
 * whose worker died is handed to another (BullMQ's lock duration and stalled-job check; default 30 s each).
 * What one job may ask of it is bounded: its size (`--max-work`, default the largest run of any profile's report), and
 * each trainer's memory (`--max-memory-gb`, default 80 % of this machine's memory shared by the runs at once) and wall
 * time (`--max-run-hours`, default 24).
 */
import os from 'node:os';
import { useBackend } from '../lib/backend';
import { readExecutor } from '../lib/cluster/executor';
import { startRunner } from '../lib/cluster/runner';
import { largestWork } from '../lib/experiments/cost';
import { PROFILES } from '../lib/experiments/profiles';
import { numberOption, parseCli, positiveInt } from './cli';
import { manifest } from './runs';

const USAGE =
  'npm run worker -- --executor redis://host:port[/queue] [--concurrency N] [--threads T] [--lock-ms MS] [--stalled-ms MS] ' +
  '[--max-work W] [--max-memory-gb G] [--max-run-hours H]';

/** The largest run of any profile's report: the default ceiling on one job's size. */
export function defaultMaxWork(): number {
  return Math.max(...PROFILES.map((p) => largestWork(manifest(p).runs.map((r) => r.job))));
}

async function main(): Promise<void> {
  const { values: v } = parseCli(
    {
      options: {
        executor: { type: 'string', default: process.env.MIXUP_EXECUTOR },
        concurrency: { type: 'string' },
        threads: { type: 'string' },
        'lock-ms': { type: 'string' },
        'stalled-ms': { type: 'string' },
        'max-work': { type: 'string' },
        'max-memory-gb': { type: 'string' },
        'max-run-hours': { type: 'string' },
      },
    },
    USAGE,
  );
  if (!v.executor) throw new Error(`no queue to take runs from: ${USAGE} (or set MIXUP_EXECUTOR)`);
  const executor = readExecutor(v.executor)!;
  const report = useBackend();
  if (report.name !== 'tensorflow')
    console.warn(`worker: training on the ${report.name} backend: ${report.reasons.join('; ')}`);
  const concurrency = numberOption(v.concurrency, 1, 'concurrency', 'a whole number ≥ 1 of runs at once', positiveInt);
  const maxWork = numberOption(v['max-work'], NaN, 'max-work', 'a size > 0 (examples × width² × epochs)', (n) => n > 0);
  const memoryGb = numberOption(
    v['max-memory-gb'],
    (0.8 * os.totalmem()) / concurrency / 1024 ** 3,
    'max-memory-gb',
    'GiB > 0 per trainer',
    (n) => n > 0,
  );
  const hours = numberOption(v['max-run-hours'], 24, 'max-run-hours', 'hours > 0 per job', (n) => n > 0);
  const runner = await startRunner({
    executor,
    concurrency,
    maxWork: Number.isNaN(maxWork) ? defaultMaxWork() : maxWork,
    limits: {
      maxRssBytes: memoryGb * 1024 ** 3,
      maxSeconds: hours * 3600,
      raise: { memory: 'raise it with --max-memory-gb', time: 'raise it with --max-run-hours' },
    },
    threads:
      v.threads === undefined ? undefined : numberOption(v.threads, 1, 'threads', 'a whole number ≥ 1', positiveInt),
    lockMs: numberOption(v['lock-ms'], 30_000, 'lock-ms', 'milliseconds ≥ 100', (n) => n >= 100),
    stalledMs: numberOption(v['stalled-ms'], 30_000, 'stalled-ms', 'milliseconds ≥ 100', (n) => n >= 100),
  });
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(
      `worker: ${signal}: taking no more runs; a run in progress goes back to the queue after its next checkpoint`,
    );
    runner.shutdown().then(
      // Non-zero only when a run in progress could not be checkpointed.
      (clean) => process.exit(clean ? 0 : 1),
      (e: unknown) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
