/**
 * `npm run bench:pool [-- --profile lowdata|quick --epochs 6 --repeat 2]`: what the worker pool (lib/cluster/pool) buys a
 * notebook. The ERM and mixup runs of a CIFAR profile, cut to a few epochs (scored on the profile's schedule: the first and last),
 * trained as notebook 2 trains them: through `trainRuns` with one worker (in the process, TensorFlow's default
 * threads: one after the other) and with two (side by side, each worker an equal share of the cores), each mode in a
 * fresh process with an empty run cache, alternating, best of `--repeat`. Prints the seconds and the speed-up.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useBackend } from '../lib/backend';
import { loadCifar10 } from '../lib/data/cifar10';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob } from '../lib/experiments/jobs';
import { threadsPerWorker, trainRuns } from '../lib/cluster/pool';
import type { Profile } from '../lib/experiments/profiles';
import { numberOption, parseCli, positiveInt } from '../scripts/cli';

interface Row {
  workers: number;
  threads: number;
  seconds: number;
  epochs: number;
  profile: string;
}

async function one(profile: Profile, epochs: number, workers: number): Promise<Row> {
  useBackend('tensorflow');
  // The profile's scoring schedule: after the first epoch and the last (and every evalEvery-th between), as in a run.
  const p = { ...CIFAR_PROFILES[profile], epochs };
  const data = await loadCifar10({ trainLimit: p.trainLimit, testLimit: p.testLimit });
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-bench-pool-'));
  process.env.MIXUP_RUNS_DIR = runs;
  try {
    const t = Date.now();
    const out = await trainRuns([cifarJob(p, 0, 1), cifarJob(p, p.alpha, 1)], { workers });
    const seconds = (Date.now() - t) / 1000;
    for (const r of out) r.model.dispose();
    return {
      workers,
      threads: workers > 1 ? threadsPerWorker(workers) : os.availableParallelism(),
      seconds: +seconds.toFixed(1),
      epochs,
      profile,
    };
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values: v } = parseCli(
    {
      options: {
        profile: { type: 'string', default: 'lowdata' },
        epochs: { type: 'string' },
        repeat: { type: 'string' },
        one: { type: 'string' },
      },
    },
    'npm run bench:pool -- [--profile quick|lowdata] [--epochs N] [--repeat N]',
  );
  const profile = v.profile as Profile;
  if (!['quick', 'lowdata'].includes(profile)) throw new Error(`--profile takes quick or lowdata, got ${profile}`);
  const epochs = numberOption(v.epochs, 6, 'epochs', 'a positive integer', positiveInt);
  const repeat = numberOption(v.repeat, 2, 'repeat', 'a positive integer', positiveInt);
  if (v.one !== undefined) {
    console.log(
      JSON.stringify(
        await one(profile, epochs, numberOption(v.one, 1, 'one', 'a positive integer of workers', positiveInt)),
      ),
    );
    return;
  }
  const best = new Map<number, Row>();
  for (let rep = 0; rep < repeat; rep++)
    for (const workers of [1, 2]) {
      const r = spawnSync(
        process.execPath,
        [__filename, '--profile', profile, '--epochs', String(epochs), '--one', String(workers)],
        { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
      );
      const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
      if (r.status !== 0 || !line)
        throw new Error(
          `bench: ${workers} worker(s) failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`,
        );
      const row = JSON.parse(line) as Row;
      console.log(line);
      if (!best.has(workers) || best.get(workers)!.seconds > row.seconds) best.set(workers, row);
    }
  const [seq, par] = [best.get(1)!, best.get(2)!];
  console.log(
    `\nERM + mixup, ${profile} protocol cut to ${epochs} epochs (scored after the first and the last), ${os.availableParallelism()} cores, best of ${repeat}`,
  );
  console.log('\n| how | TF threads per run | seconds | speed-up |\n| --- | --- | --- | --- |');
  console.log(`| one after the other (workers 1, in process) | ${seq.threads} | ${seq.seconds} | |`);
  console.log(
    `| side by side (workers 2) | ${par.threads} | ${par.seconds} | ${(seq.seconds / par.seconds).toFixed(2)}x |`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
