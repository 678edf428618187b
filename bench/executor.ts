/**
 * `npm run bench:executor`: the same 8 smoke runs through the local pool (two workers) and through the BullMQ queue
 * with two `npm run worker` processes on this machine (its own redis-server on a free 127.0.0.1 port). Prints wall
 * times and the queue's per-run overhead, and appends one record to results/bench/executor.jsonl:
 *  - pickup: from the moment a run could start (queued, or a worker freed) to a worker taking it (BullMQ's timestamps);
 *  - taken → first progress: from a worker taking it to its first progress event (handing the run to a waiting training
 *    process, then its first steps: an upper bound on the start-up cost);
 *  - done → seen: from the worker finishing it to this process hearing so (queue events);
 *  - load: reading the finished run back from the run cache.
 * `-- --tls`: the queue's Redis as docs/cluster.md sets it up (TLS only, with a CA made here, and a password from a
 * file), to measure what TLS and authentication cost per run.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { useBackend } from '../lib/backend';
import { connection, readExecutor } from '../lib/cluster/executor';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob, trainSpec } from '../lib/experiments/jobs';
import { trainRuns } from '../lib/cluster/pool';
import { runKey } from '../lib/runs/cache';
import { median } from '../lib/stats';
import { spawnTracked, stopAll } from '../scripts/processes';
import { startRedis } from '../scripts/redis';
import { makeTestCa, tlsArgs } from '../scripts/tls';
import { appendRecords, machine } from '../scripts/record';

const ROOT = path.resolve(__dirname, '..', '..');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  useBackend('tensorflow');
  const jobs = [1, 2, 3, 4].flatMap((seed) => [
    cifarJob(CIFAR_PROFILES.smoke, 0, seed),
    cifarJob(CIFAR_PROFILES.smoke, 1, seed),
  ]);
  const keys = jobs.map((j) => runKey(j));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-bench-executor-'));
  const tls = process.argv.includes('--tls');
  let url: string;
  if (tls) {
    const certs = makeTestCa(path.join(tmp, 'tls'));
    const secret = randomBytes(16).toString('hex');
    const file = path.join(tmp, 'password');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    // Workers inherit these, as they would from their shell.
    process.env.MIXUP_EXECUTOR_CA = certs.ca;
    process.env.MIXUP_EXECUTOR_PASSWORD_FILE = file;
    const port = await startRedis(10_000, {
      tls: true,
      args: ['--requirepass', secret, ...tlsArgs(certs)],
      probe: (p) => `rediss://127.0.0.1:${p}`,
    });
    url = `rediss://127.0.0.1:${port}/bench`;
  } else url = `redis://127.0.0.1:${await startRedis()}/bench`;
  try {
    const e = readExecutor(url)!;
    const timed = async (runs: string, executor: string) => {
      process.env.MIXUP_RUNS_DIR = runs;
      fs.mkdirSync(runs, { recursive: true });
      const t = Date.now();
      const out = await trainRuns(jobs, { workers: 2, executor });
      const seconds = (Date.now() - t) / 1000;
      for (const r of out) r.model.dispose();
      return seconds;
    };
    const local = await timed(path.join(tmp, 'local'), 'local');
    console.log(`local pool, two workers: ${local.toFixed(1)} s for ${jobs.length} runs`);

    const shared = path.join(tmp, 'queue');
    fs.mkdirSync(shared, { recursive: true });
    const workers = [0, 1].map(() => {
      let out = '';
      const c = spawnTracked(
        process.execPath,
        [path.join(ROOT, 'dist', 'scripts', 'worker.js'), '--executor', url, '--threads', '1'],
        {
          env: { ...process.env, MIXUP_RUNS_DIR: shared, TF_CPP_MIN_LOG_LEVEL: '2' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      return () => out;
    });
    while (!workers.every((log) => log().includes('taking runs from'))) await wait(100);
    const events = new QueueEvents(e.queue, { connection: connection(e) });
    await events.waitUntilReady();
    const firstProgress = new Map<string, number>();
    const seen = new Map<string, number>();
    events.on('progress', ({ jobId, data }) => {
      if ((data as { type: string }).type !== 'start' && !firstProgress.has(jobId))
        firstProgress.set(jobId, Date.now());
    });
    events.on('completed', ({ jobId }) => seen.set(jobId, Date.now()));
    const queued = await timed(shared, url);
    console.log(`queue, two workers: ${queued.toFixed(1)} s for ${jobs.length} runs`);
    const queue = new Queue(e.queue, { connection: connection(e) });
    const info = await Promise.all(keys.map((k) => queue.getJob(k)));
    const finished = info.map((j) => j!.finishedOn!).sort((a, b) => a - b);
    const pickup = info.map(
      (j) => j!.processedOn! - Math.max(j!.timestamp, ...finished.filter((f) => f <= j!.processedOn!)),
    );
    const childStart = info.map((j) => (firstProgress.get(j!.id!) ?? NaN) - j!.processedOn!);
    const doneSeen = info.map((j) => (seen.get(j!.id!) ?? NaN) - j!.finishedOn!);
    const load = [];
    for (const job of jobs) {
      const t = Date.now();
      (await trainSpec(job)).model.dispose();
      load.push(Date.now() - t);
    }
    await queue.close();
    await events.close();
    const record = {
      runs: jobs.length,
      profile: 'smoke',
      tls,
      workers: 2,
      threads: 1,
      local_s: +local.toFixed(1),
      queue_s: +queued.toFixed(1),
      queue_vs_local: +(queued / local).toFixed(3),
      pickup_ms: median(pickup),
      first_progress_ms: median(childStart),
      done_seen_ms: median(doneSeen),
      load_ms: median(load),
      ...machine(ROOT),
    };
    console.log(JSON.stringify(record));
    console.log(
      `\nper run, median of ${jobs.length}: pickup ${record.pickup_ms} ms, taken → first progress ${record.first_progress_ms} ms, ` +
        `done → seen ${record.done_seen_ms} ms, load ${record.load_ms} ms; queue ${record.queue_s} s vs local ${record.local_s} s (${record.queue_vs_local}x)`,
    );
    appendRecords(path.join(ROOT, 'results', 'bench', 'executor.jsonl'), [record]);
  } finally {
    await stopAll(2000);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
