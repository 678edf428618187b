/**
 * The queue executor on a real Redis (Debian's redis-server, started here on a free 127.0.0.1 port with persistence
 * off, stopped with everything else on every way out): runs trained by `npm run worker` processes equal the local
 * pool's bitwise, progress arrives in order, one run asked for twice trains once, a worker killed mid-run or paused
 * past the stall timeout loses the run to another without spoiling it, and bad setups fail with their cause.
 */
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { useBackend } from '../lib/backend';
import { assertReachable, readExecutor } from '../lib/cluster/executor';
import { fingerprint } from '../lib/cluster/fingerprint';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob } from '../lib/experiments/jobs';
import type { RunSpec } from '../lib/runs/cache';
import { reportRuns } from '../lib/lab';
import { isResultJob } from '../lib/experiments/result-jobs';
import { trainRuns } from '../lib/cluster/pool';
import type { RunResult } from '../lib/runs/cache';
import { runKey } from '../lib/runs/cache';
import type { EpochRecord } from '../lib/train/loop';
import { descendants, spawnTracked, stopAll } from '../scripts/processes';
import { freePort } from '../scripts/net';
import { startRedis } from '../scripts/redis';
import { cifarSource, historyNumbers, until, wait } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'scripts', 'worker.js');
const SWEEP = path.join(ROOT, 'dist', 'scripts', 'sweep.js');
/** Three epochs of the smoke protocol: seconds a run, and epochs to see in order and to kill between. */
const P = { ...CIFAR_PROFILES.smoke, epochs: 3 };
const LONG = { ...CIFAR_PROFILES.smoke, epochs: 6 };

let port = 0;
let executor = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-queue-'));

before(async () => {
  useBackend('tensorflow');
  port = await startRedis();
  executor = `redis://127.0.0.1:${port}/test`;
});

after(async () => {
  await stopAll(2000);
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface WorkerProc {
  child: ChildProcess;
  log: () => string;
}

/** `npm run worker` at one thread with short lock and stall timeouts, on the run cache `runs`. */
function startWorker(runs: string, extraEnv: NodeJS.ProcessEnv = {}, queue = executor): WorkerProc {
  let out = '';
  const child = spawnTracked(
    process.execPath,
    [WORKER, '--executor', queue, '--threads', '1', '--lock-ms', '3000', '--stalled-ms', '1000'],
    {
      env: {
        ...process.env,
        MIXUP_RUNS_DIR: runs,
        MIXUP_CIFAR10: cifarSource(),
        TF_CPP_MIN_LOG_LEVEL: '2',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return { child, log: () => out };
}

const ready = (w: WorkerProc) => until('the worker to take runs', () => w.log().includes('taking runs from'), 30_000);

/** A process group's signal: the worker and its training child alike. */
function signalTree(w: WorkerProc, sig: NodeJS.Signals): void {
  for (const pid of [w.child.pid!, ...descendants(w.child.pid!)]) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

/** Runs through trainRuns with MIXUP_RUNS_DIR at `runs` (the local pool at two workers, or the queue). */
async function train(
  runs: string,
  jobs: RunSpec[],
  o: { executor?: string; onEpoch?: (key: number, r: EpochRecord) => void } = {},
) {
  return withRuns(runs, () => submit(jobs, o));
}

/** trainRuns on the run cache MIXUP_RUNS_DIR names now. */
async function submit(
  jobs: RunSpec[],
  o: { executor?: string; onEpoch?: (key: number, r: EpochRecord) => void; log?: (line: string) => void } = {},
) {
  const out = await trainRuns(jobs, {
    workers: 2,
    executor: o.executor ?? 'local',
    progress: (_, i) => ({ onEpoch: (r) => o.onEpoch?.(i, r) }),
    log: o.log ?? (() => {}),
  });
  for (const r of out) r.model.dispose();
  return out;
}

async function withRuns<T>(runs: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.MIXUP_RUNS_DIR;
  process.env.MIXUP_RUNS_DIR = runs;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.MIXUP_RUNS_DIR;
    else process.env.MIXUP_RUNS_DIR = before;
  }
}

const resultOf = (runs: string, key: string) =>
  JSON.parse(fs.readFileSync(path.join(runs, key, 'result.json'), 'utf8')) as RunResult;
async function keyOf(job: RunSpec): Promise<string> {
  return runKey(job);
}

/**
 * The run `job` trained once through the local pool (what it must end equal to), then queued with one worker on a
 * fresh shared run cache, and `interrupt` done to that worker as soon as the run has finished an epoch.
 */
async function interruptedRun(name: string, job: RunSpec, interrupt: (w: WorkerProc) => void) {
  const key = await keyOf(job);
  const local = path.join(tmp, `local-${name}`);
  await train(local, [job]);
  const shared = path.join(tmp, `shared-${name}`);
  fs.mkdirSync(shared, { recursive: true });
  const w1 = startWorker(shared);
  await ready(w1);
  let interrupted = false;
  const done = train(shared, [job], {
    executor,
    onEpoch: (_, r) => {
      if (r.epoch >= 1 && !interrupted) {
        interrupted = true;
        interrupt(w1);
      }
    },
  });
  await until('an epoch, then the interruption', () => interrupted, 120_000);
  return { key, local, shared, w1, done };
}

test(
  "notebooks 4 and 6 (smoke) through two queue workers equal the local pool's runs bitwise, and record their host",
  { timeout: 600_000 },
  async () => {
    // Every run of the two notebooks, as the report's manifest lists them: UCI MLPs and speech nets, not CIFAR.
    const wanted = reportRuns({ MIXUP_PROFILE: 'smoke' }, { notebooks: ['04-tabular-uci', '06-speech'] });
    const jobs = wanted.map((w) => w.job).filter((j): j is RunSpec => !isResultJob(j));
    assert.equal(jobs.length, wanted.length, 'runs with weights, every one');
    const sets = new Set(jobs.map((j) => String(j.data.set)));
    assert.ok(sets.has('fsdd-v1.0.10') && [...sets].some((s) => s.startsWith('uci-')), [...sets].join(', '));
    const local = path.join(tmp, 'nb-local');
    const shared = path.join(tmp, 'nb-shared');
    fs.mkdirSync(shared, { recursive: true });
    await train(local, jobs);
    const w1 = startWorker(shared),
      w2 = startWorker(shared);
    await Promise.all([ready(w1), ready(w2)]);
    await withRuns(shared, () => submit(jobs, { executor }));
    for (const job of jobs) {
      const key = runKey(job);
      assert.deepEqual(
        historyNumbers(resultOf(shared, key).history),
        historyNumbers(resultOf(local, key).history),
        `run ${key} (${String(job.data.set)}) equals the local pool's`,
      );
      assert.equal(resultOf(shared, key).host, os.hostname(), `run ${key} records the host that trained it`);
    }
    const took = (w: WorkerProc) =>
      w
        .log()
        .split('\n')
        .filter((l) => / started, attempt/.test(l)).length;
    assert.equal(took(w1) + took(w2), jobs.length, 'each run trained once on the queue');
    assert.ok(took(w1) > 0 && took(w2) > 0, `both workers took runs (${took(w1)} and ${took(w2)})`);
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
    await until('the workers to exit', () => w1.child.exitCode !== null && w2.child.exitCode !== null, 20_000);
  },
);

test(
  'queue runs equal the local pool bitwise; progress in order; one run asked for twice trains once',
  { timeout: 240_000 },
  async () => {
    const jobs = [cifarJob(P, 0, 1), cifarJob(P, 1, 1)];
    const local = path.join(tmp, 'local');
    const shared = path.join(tmp, 'shared');
    fs.mkdirSync(shared, { recursive: true });
    await train(local, jobs);
    const w1 = startWorker(shared),
      w2 = startWorker(shared);
    await Promise.all([ready(w1), ready(w2)]);
    const seen: number[][] = [[], []];
    const lines: string[] = [];
    // Two submitters at once (two notebooks, or two users) ask for the same runs.
    await withRuns(shared, () =>
      Promise.all([
        submit(jobs, { executor, onEpoch: (i, r) => seen[i].push(r.epoch), log: (l) => lines.push(l) }),
        submit(jobs, { executor }),
      ]),
    );
    for (const job of jobs) {
      const key = await keyOf(job);
      assert.deepEqual(
        historyNumbers(resultOf(shared, key).history),
        historyNumbers(resultOf(local, key).history),
        `run ${key} equals the local pool's`,
      );
      assert.equal(resultOf(shared, key).threads, resultOf(local, key).threads, 'same thread count as the local pool');
      assert.equal(resultOf(shared, key).host, os.hostname());
      const started = (w1.log() + w2.log()).split('\n').filter((l) => l.includes(`("${key}") started`));
      assert.equal(started.length, 1, `run ${key} trained once: ${started.join(' | ')}`);
    }
    assert.deepEqual(
      seen,
      [
        [0, 1, 2],
        [0, 1, 2],
      ],
      'every epoch arrives, in order, once',
    );
    // A worker shut down with SIGTERM exits cleanly.
    w1.child.kill('SIGTERM');
    await until('the worker to exit', () => w1.child.exitCode !== null, 20_000);
    assert.equal(w1.child.exitCode, 0, w1.log());
    w2.child.kill('SIGTERM');
    await until('the worker to exit', () => w2.child.exitCode !== null, 20_000);
  },
);

test(
  'kill -9 of a worker after an epoch: another resumes the run, whose history equals an uninterrupted one',
  { timeout: 240_000 },
  async () => {
    const { key, local, shared, done } = await interruptedRun('kill', cifarJob(LONG, 1, 7), (w) =>
      signalTree(w, 'SIGKILL'),
    );
    const w2 = startWorker(shared);
    await done;
    assert.match(w2.log(), new RegExp(`\\("${key}"\\) started, attempt`), 'the second worker took the run');
    assert.deepEqual(historyNumbers(resultOf(shared, key).history), historyNumbers(resultOf(local, key).history));
    w2.child.kill('SIGTERM');
  },
);

test(
  'SIGTERM mid-run: the worker hands the run back after its checkpoint and exits; another finishes it, history equal',
  { timeout: 240_000 },
  async () => {
    const { key, local, shared, w1, done } = await interruptedRun('term', cifarJob(LONG, 1, 9), (w) =>
      w.child.kill('SIGTERM'),
    );
    await until('the worker to stop', () => w1.child.exitCode !== null, 120_000);
    assert.equal(w1.child.exitCode, 0, w1.log());
    assert.match(w1.log(), new RegExp(`\\("${key}"\\) handed back after its last checkpoint`));
    const w2 = startWorker(shared);
    await done;
    assert.match(w2.log(), new RegExp(`\\("${key}"\\) started`));
    assert.deepEqual(historyNumbers(resultOf(shared, key).history), historyNumbers(resultOf(local, key).history));
    w2.child.kill('SIGTERM');
  },
);

test(
  'a worker paused past the stall timeout loses its run and cannot overwrite it when resumed',
  { timeout: 240_000 },
  async () => {
    const { key, local, shared, w1, done } = await interruptedRun('pause', cifarJob(LONG, 0, 8), (w) =>
      signalTree(w, 'SIGSTOP'),
    );
    const w2 = startWorker(shared);
    await done; // the second worker took the stalled run over and finished it
    const result = fs.readFileSync(path.join(shared, key, 'result.json'));
    const checkpoint = fs.readFileSync(path.join(shared, key, 'checkpoint.bin'));
    signalTree(w1, 'SIGCONT');
    // The paused trainer finishes its epoch and tries to checkpoint: fenced out by the lock's token.
    await until('the paused worker to notice', () => /taken over by/.test(w1.log()), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; its log:\n${w1.log()}`);
    });
    assert.deepEqual(fs.readFileSync(path.join(shared, key, 'result.json')), result, 'the result is untouched');
    assert.deepEqual(
      fs.readFileSync(path.join(shared, key, 'checkpoint.bin')),
      checkpoint,
      'the checkpoint is untouched',
    );
    assert.deepEqual(historyNumbers(resultOf(shared, key).history), historyNumbers(resultOf(local, key).history));
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
  },
);

test(
  'npm run sweep queues a grid of runs, shows where they stand, and waits for them',
  { timeout: 180_000 },
  async () => {
    const shared = path.join(tmp, 'shared-sweep');
    fs.mkdirSync(shared, { recursive: true });
    const queueUrl = `redis://127.0.0.1:${port}/sweep`;
    const w1 = startWorker(shared, {}, queueUrl),
      w2 = startWorker(shared, {}, queueUrl);
    await Promise.all([ready(w1), ready(w2)]);
    // Keys only notebook 3 takes: the other notebooks are left out of this grid point.
    const grid = JSON.stringify([{ noise: [0.5], dropoutAt: [] }]);
    const run = spawnTracked(
      process.execPath,
      [SWEEP, '--executor', queueUrl, '--profile', 'smoke', '--grid', grid, '--wait'],
      {
        env: { ...process.env, MIXUP_RUNS_DIR: shared, MIXUP_CIFAR10: cifarSource(), TF_CPP_MIN_LOG_LEVEL: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    run.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    run.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await until('the sweep to finish', () => run.exitCode !== null, 150_000);
    assert.equal(run.exitCode, 0, out);
    assert.match(out, /sweep: 2 of 2 runs sent to redis:/);
    assert.match(out, /2 runs: 0 queued, 0 training, 2 done, 0 failed/);
    assert.equal(fs.readdirSync(shared).filter((d) => fs.existsSync(path.join(shared, d, 'result.json'))).length, 2);
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
  },
);

test(
  'bad setups fail with their cause: Redis down, another fingerprint, no shared folder, a run failing every attempt',
  { timeout: 120_000 },
  async () => {
    const dead = `redis://127.0.0.1:${await freePort()}/q`;
    const t0 = Date.now();
    await assert.rejects(
      train(path.join(tmp, 'none'), [cifarJob(P, 0, 3)], { executor: dead }),
      /cannot reach Redis at 127\.0\.0\.1:\d+ \(MIXUP_EXECUTOR=/,
    );
    assert.ok(Date.now() - t0 < 10_000, 'within seconds');

    const shared = path.join(tmp, 'shared-bad');
    fs.mkdirSync(shared, { recursive: true });
    const queueUrl = `redis://127.0.0.1:${port}/bad`;
    const w = startWorker(shared, {}, queueUrl);
    await ready(w);
    const e = readExecutor(queueUrl)!;
    const queue = new Queue(e.queue, { connection: { host: e.host, port: e.port } });
    try {
      const wrong = await queue.add(
        'train',
        {
          job: cifarJob(P, 0, 4),
          fingerprint: { ...fingerprint(cifarJob(P, 0, 4)), lib: '0000000000000000' },
          submitter: 'elsewhere',
        },
        { jobId: runKey(cifarJob(P, 0, 4)) },
      );
      await until('the refusal', async () => (await wrong.isFailed()) || false, 30_000);
      const failed = await queue.getJob(runKey(cifarJob(P, 0, 4)));
      assert.match(
        failed!.failedReason,
        /refused .*fingerprint mismatch: compiled lib 0000000000000000 \(submitter\) vs [0-9a-f]{16} \(this worker\)/,
      );
    } finally {
      await queue.close();
    }
    w.child.kill('SIGTERM');
    // A run that fails on every attempt (its worker has no CIFAR-10) names the run, the host and the reason. (A job
    // the schema refuses never leaves the submitter: lib/cluster/payload.)
    const brokenUrl = `redis://127.0.0.1:${port}/broken`;
    const nodata = startWorker(shared, { MIXUP_CIFAR10: path.join(tmp, 'no-cifar-here') }, brokenUrl);
    await ready(nodata);
    await assert.rejects(train(shared, [cifarJob(P, 0, 5)], { executor: brokenUrl }), (err: Error) => {
      assert.match(err.message, /CIFAR-10 run α = 0, seed 5 \(run [0-9a-f]{16}\) failed on the queue/);
      assert.ok(err.message.includes(`${os.hostname()}: `), err.message);
      return true;
    });
    nodata.child.kill('SIGTERM');

    const missing = startWorker(path.join(tmp, 'no-such-folder'));
    await until('the refusal to start', () => missing.child.exitCode !== null, 30_000);
    assert.notEqual(missing.child.exitCode, 0);
    assert.match(
      missing.log(),
      /run cache .*no-such-folder does not exist on this machine: mount the shared folder and point MIXUP_RUNS_DIR at it/,
    );
  },
);
