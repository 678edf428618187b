/**
 * Array jobs without Redis (SLURM `sbatch --array`, a Kubernetes Indexed Job): every task trains one run of a
 * manifest into the shared run cache (MIXUP_RUNS_DIR), then a report on any machine loads them all from there.
 *   npm run runs -- manifest --profile P [--seeds 1,2,3] [--params JSON] > runs.json
 *   npm run runs -- train runs.json [--index I] [--threads T]     (I defaults to $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)
 * The manifest lists what the report's notebooks ask for (lib/experiments/report-runs), each run once, with its key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useBackend } from '../lib/backend';
import { jobDir, jobKey, jobLabel, jobNeeds, RunJob } from '../lib/experiments/jobs';
import { checkJob } from '../lib/experiments/job-schema';
import { trainInChild } from '../lib/cluster/child';
import { PROFILES } from '../lib/experiments/profiles';
import { reportRuns } from '../lib/lab';
import { runsRoot } from '../lib/runs/cache';
import { numberOption, parseCli, positiveInt } from './cli';

const USAGE =
  'npm run runs -- manifest --profile P [--seeds 1,2,3] [--params JSON] > runs.json | train runs.json [--index I] [--threads T] [--wait-needs S]';

export interface Manifest {
  profile: string;
  seeds: string | null;
  params: string | null;
  runs: { key: string; notebook: string; label: string; job: RunJob }[];
}

/** The runs a report at `profile` needs, keyed as the run cache keys them. */
export function manifest(profile: string, seeds?: string, params?: string, o: { lenient?: boolean } = {}): Manifest {
  if (!(PROFILES as readonly string[]).includes(profile))
    throw new Error(`unknown profile '${profile}': use one of ${PROFILES.join(', ')}`);
  const env = {
    MIXUP_PROFILE: profile,
    ...(seeds ? { MIXUP_SEEDS: seeds } : {}),
    ...(params ? { MIXUP_PARAMS: params } : {}),
  };
  const runs: Manifest['runs'] = [];
  // lenient: notebooks whose parameters do not take every key of `params` are left out (a sweep's grid point).
  for (const w of reportRuns(env, { lenient: o.lenient }))
    runs.push({ key: jobKey(w.job), notebook: w.notebook, label: w.label, job: w.job });
  return { profile, seeds: seeds ?? null, params: params ?? null, runs };
}

export function readManifest(file: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new Error(
      `${file} is not a manifest (${(e as Error).message}): write one with npm run runs -- manifest --profile P > ${file}`,
    );
  }
  if (!Array.isArray(m.runs)) throw new Error(`${file} has no runs: write it with npm run runs -- manifest`);
  return m;
}

/**
 * A job that reads other runs (an attack sweep's models) waits until they are in the run cache: array tasks start in
 * any order, and the manifest lists such jobs last. Past `waitSeconds` it fails, naming the runs it still needs.
 */
export async function awaitNeeds(job: RunJob, root: string, waitSeconds: number, everyMs = 10_000): Promise<void> {
  const missing = () => jobNeeds(job).filter((n) => !fs.existsSync(path.join(jobDir(n, root), 'result.json')));
  const until = Date.now() + waitSeconds * 1000;
  let left = missing();
  if (left.length)
    console.log(`runs: ${jobLabel(job)} waits for ${left.length} run(s) it reads: ${left.map(jobKey).join(', ')}`);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(0, until - Date.now()))));
    left = missing();
  }
  if (left.length)
    throw new Error(
      `${jobLabel(job)} reads runs not in the run cache after ${waitSeconds} s: ${left.map((n) => `${jobLabel(n)} (${jobKey(n)})`).join('; ')}: train them first (their tasks in the same manifest), or raise --wait-needs`,
    );
}

/** The task's index: --index, else the scheduler's. */
export function taskIndex(given: string | undefined, env = process.env): number {
  const raw = [given, env.SLURM_ARRAY_TASK_ID, env.JOB_COMPLETION_INDEX].find(
    (x) => x !== undefined && x.trim() !== '',
  );
  if (raw === undefined)
    throw new Error(
      'which run? give --index I, or run it as an array task (SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX)',
    );
  return numberOption(raw, 0, 'index', 'a whole number ≥ 0', (n) => Number.isInteger(n) && n >= 0);
}

async function main(): Promise<void> {
  const { values: v, positionals } = parseCli(
    {
      allowPositionals: true,
      options: {
        profile: { type: 'string', default: 'quick' },
        seeds: { type: 'string' },
        params: { type: 'string' },
        index: { type: 'string' },
        threads: { type: 'string' },
        'wait-needs': { type: 'string' },
      },
    },
    USAGE,
  );
  const [command, file] = positionals;
  if (command === 'manifest') {
    const m = await manifest(v.profile, v.seeds, v.params);
    process.stdout.write(`${JSON.stringify(m, null, 1)}\n`);
    console.error(`runs: ${m.runs.length} runs for a ${m.profile} report`);
    return;
  }
  if (command !== 'train' || !file) throw new Error(`usage: ${USAGE}`);
  const m = readManifest(file);
  const index = taskIndex(v.index);
  if (index >= m.runs.length)
    throw new Error(`index ${index} is past the manifest's ${m.runs.length} runs (0–${m.runs.length - 1})`);
  const root = runsRoot();
  if (!fs.existsSync(root))
    throw new Error(
      `the run cache ${root} does not exist here: mount the shared folder and point MIXUP_RUNS_DIR at it`,
    );
  const run = m.runs[index];
  // A manifest is a file anyone may edit: its run is checked as the queue checks a payload, before anything loads.
  checkJob(run.job, `${file}'s run ${index}`, 'job');
  if (jobKey(run.job) !== run.key)
    throw new Error(
      `${file}'s run ${index} has the key ${run.key}, but its job's key is ${jobKey(run.job)}: write the manifest again with npm run runs -- manifest`,
    );
  if (fs.existsSync(path.join(root, run.key, 'result.json'))) {
    console.log(`runs: ${run.label} (${run.key}) is already in the run cache`);
    return;
  }
  await awaitNeeds(
    run.job,
    root,
    numberOption(v['wait-needs'], 24 * 3600, 'wait-needs', 'seconds ≥ 0', (n) => n >= 0),
  );
  useBackend();
  // One thread by default, as the local pool's workers on two cores: the numbers then match the published runs'.
  const threads = numberOption(v.threads, 1, 'threads', 'a whole number ≥ 1', positiveInt);
  console.log(
    `runs: task ${index} trains ${jobLabel(run.job)} (${run.key}) on ${os.hostname()}, ${threads} TensorFlow thread(s)`,
  );
  // The scheduler gives each index to one task at a time: a lock left by a task that died elsewhere is taken over.
  const { outcome } = trainInChild(run.job, {
    threads,
    takeover: true,
    onMessage: (msg) => {
      if (msg.type === 'epoch')
        console.log(`runs: epoch ${msg.record.epoch + 1}, loss ${msg.record.trainLoss.toFixed(4)}`);
    },
  });
  const r = await outcome;
  if (!r.ok) throw new Error(`${jobLabel(run.job)} (${run.key}) failed on ${os.hostname()}: ${r.message}`);
  console.log(`runs: ${run.label} (${run.key}) done`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
