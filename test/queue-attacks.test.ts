/**
 * The queue under attack by someone holding its key, on real redis-servers: a malformed event, jobs planted under a
 * run's key (failed, delayed, foreign, unreadable), one run under two ids, an id holding terminal escapes, a job
 * sized to exhaust a worker, trainers past their memory or time, passwords a URL parser misreads, and a forged result.
 * Each ends in a clear refusal or a recovery, with the worker up and no password printed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { useBackend } from '../lib/backend';
import { connection, readExecutor } from '../lib/cluster/executor';
import { fingerprint } from '../lib/cluster/fingerprint';
import { trainRuns } from '../lib/cluster/pool';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob, jobKey, RunJob } from '../lib/experiments/jobs';
import { cachedResult, RunSpec, specKey } from '../lib/runs/cache';
import type { StepInfo } from '../lib/train/loop';
import { stopAll } from '../scripts/processes';
import { startRedis } from '../scripts/redis';
import { sweepStatus } from '../scripts/sweep';
import { cifarSource, until } from './helpers';
import { startWorker, workerReady } from './queue-helpers';

const P = { ...CIFAR_PROFILES.smoke, epochs: 2 };
const SECRET = `pw-${randomBytes(12).toString('hex')}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-queue-attacks-'));
/** Every line any process printed here: none may hold the password or a raw terminal escape. */
const printed: string[] = [];
const keep = (t: string) => printed.push(...t.split('\n'));

before(() => {
  useBackend('tensorflow');
  process.env.MIXUP_CIFAR10 ??= cifarSource();
});
after(async () => {
  await stopAll(2000);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(
    printed.filter((l) => l.includes(SECRET)),
    [],
    'no line holds the password',
  );
  assert.deepEqual(
    printed.filter((l) => l.includes('\u001b')),
    [],
    'no line holds a raw escape',
  );
});

const payload = (job: RunJob) => ({ job, fingerprint: fingerprint(job), submitter: 'attacker' });

/** trainRuns through the queue at `url` on the run cache `runs`, its lines kept. */
async function submit(url: string, runs: string, jobs: RunSpec[], onStep?: (s: StepInfo) => void): Promise<string[]> {
  const lines: string[] = [];
  const before = process.env.MIXUP_RUNS_DIR;
  process.env.MIXUP_RUNS_DIR = runs;
  try {
    const out = await trainRuns(jobs, {
      executor: url,
      log: (l) => {
        lines.push(l);
        keep(l);
      },
      ...(onStep ? { progress: () => ({ onStep }) } : {}),
    });
    for (const r of out) r.model.dispose();
  } finally {
    if (before === undefined) delete process.env.MIXUP_RUNS_DIR;
    else process.env.MIXUP_RUNS_DIR = before;
  }
  return lines;
}

/** A job's failure, read from its hash (its payload may be one that cannot be parsed). */
async function failedJob(queue: Queue, id: string): Promise<{ failedReason: string; attemptsMade: number }> {
  await until(`job ${id} to fail`, async () => (await queue.getJobState(id)) === 'failed', 60_000);
  const [reason, atm] = await (await queue.client).hmget(`bull:${queue.name}:${id}`, 'failedReason', 'atm');
  return { failedReason: reason ?? '', attemptsMade: Number(atm ?? 0) };
}

test(
  'a malformed event and a hostile progress event: the submitter recovers and sees its run finish within seconds',
  { timeout: 240_000 },
  async () => {
    const port = await startRedis();
    const url = `redis://127.0.0.1:${port}/events`;
    const runs = path.join(tmp, 'events');
    fs.mkdirSync(runs);
    const w = startWorker(url, runs, { onText: keep });
    await workerReady(w);
    const job = cifarJob({ ...P, epochs: 4 }, 0, 41);
    const raw = new IORedis({ host: '127.0.0.1', port });
    const steps: StepInfo[] = [];
    let planted = false;
    const lines: string[] = [];
    const finished = (async () => {
      const before = process.env.MIXUP_RUNS_DIR;
      process.env.MIXUP_RUNS_DIR = runs;
      try {
        const [r] = await trainRuns([job], {
          executor: url,
          progress: () => ({ onStep: (s) => steps.push(s) }),
          log: (l) => {
            lines.push(l);
            keep(l);
            // Once the run trains: an event that is not JSON, and one that is but is not a worker's.
            if (planted || !/training on/.test(l)) return;
            planted = true;
            void raw
              .xadd('bull:events:events', '*', 'event', 'progress', 'jobId', jobKey(job), 'data', '{not json')
              .then(() =>
                raw.xadd(
                  'bull:events:events',
                  '*',
                  'event',
                  'progress',
                  'jobId',
                  jobKey(job),
                  'data',
                  JSON.stringify({ type: 'step', host: 'h', info: '\u001b[2J' }),
                ),
              );
          },
        });
        r.model.dispose();
      } finally {
        process.env.MIXUP_RUNS_DIR = before;
      }
      return Date.now();
    })();
    const seenAt = await finished;
    raw.disconnect();
    assert.ok(planted, 'the events were written while the run trained');
    assert.match(lines.join('\n'), /its event stream failed .*following it again from its newest event/);
    const doneAt = fs.statSync(path.join(runs, jobKey(job), 'result.json')).mtimeMs;
    assert.ok(seenAt - doneAt < 5000, `seen finished ${seenAt - doneAt} ms after its result was written`);
    assert.ok(
      steps.every((s) => typeof s.loss === 'number'),
      'no progress but a worker’s reached the callbacks',
    );
    assert.equal(w.child.exitCode, null, 'the worker is up');
    w.child.kill('SIGTERM');
  },
);

test(
  "jobs planted under a run's key are replaced and logged, one run under another id or an escaping id is refused, and a forged result is refused",
  { timeout: 300_000 },
  async () => {
    const port = await startRedis();
    const url = `redis://127.0.0.1:${port}/planted`;
    const runs = path.join(tmp, 'planted');
    fs.mkdirSync(runs);
    const e = readExecutor(url)!;
    const queue = new Queue(e.queue, { connection: connection(e) });
    const raw = new IORedis({ host: '127.0.0.1', port });
    const w = startWorker(url, runs, { onText: keep });
    await workerReady(w);
    const [failed, foreign, delayed, unreadable, foreignDelayed, other] = [0, 1, 2, 3, 4, 5].map((s) =>
      cifarJob(P, s % 2, 50 + s),
    );
    try {
      // Failed for good under the key: a payload of epochs 0 (refused), and another run's payload (its id is not
      // that run's key).
      await queue.add('train', payload({ ...failed, train: { ...failed.train, epochs: 0 } }) as never, {
        jobId: jobKey(failed),
        attempts: 1000,
        removeOnFail: false,
      });
      await queue.add('train', payload(other) as never, { jobId: jobKey(foreign) });
      // One run under an id that is not its key, and an id that would clear a terminal and forge a line.
      await queue.add('train', payload(other) as never, { jobId: 'deadbeefdeadbeef' });
      await queue.add('train', payload(other) as never, { jobId: 'x\u001b[2J\nworker vm forged' });
      assert.match((await failedJob(queue, jobKey(failed))).failedReason, /job\.train\.epochs: Too small/);
      const refusedForeign = await failedJob(queue, jobKey(foreign));
      assert.match(refusedForeign.failedReason, /its id is not the key of the run it carries/);
      assert.ok(refusedForeign.attemptsMade <= 1, 'no retry of a refused job');
      assert.match(
        (await failedJob(queue, 'deadbeefdeadbeef')).failedReason,
        new RegExp(`its id is not the key of the run it carries \\(${jobKey(other)}\\)`),
      );
      await failedJob(queue, 'x\u001b[2J\nworker vm forged');
      assert.match(w.log(), /refused job "x\\u001b\[2J\\nworker vm forged"/, 'the id printed quoted');
      // Raw invalid JSON that a worker takes fails at once, naming the job, instead of cycling through stall checks.
      const rawId = jobKey(cifarJob(P, 0, 59));
      await queue.add('train', payload(cifarJob(P, 0, 59)) as never, { jobId: rawId, delay: 1e10 });
      await raw.hset(`bull:planted:${rawId}`, 'data', '{not json');
      const t0 = Date.now();
      await queue.promoteJobs();
      assert.match(
        (await failedJob(queue, rawId)).failedReason,
        new RegExp(`refused job "${rawId}": its payload is not JSON`),
      );
      assert.ok(Date.now() - t0 < 20_000, 'at once');
      // Delayed far ahead under the key; unreadable under the key; another run's payload delayed under the key.
      await queue.add('train', payload(delayed) as never, { jobId: jobKey(delayed), delay: 1e10 });
      await queue.add('train', payload(unreadable) as never, { jobId: jobKey(unreadable), delay: 1e10 });
      await raw.hset(`bull:planted:${jobKey(unreadable)}`, 'data', '{not json');
      await queue.add('train', payload(other) as never, { jobId: jobKey(foreignDelayed), delay: 1e10 });
      // The sweep's status reads what it cannot parse as a state.
      const rows = await sweepStatus(queue as never, [{ key: jobKey(unreadable), label: 'u' }], runs);
      assert.equal(rows[0].state, 'queued');
      const jobs = [failed, foreign, delayed, unreadable, foreignDelayed];
      const lines = await submit(url, runs, jobs);
      const replaced = (job: RunSpec, why: RegExp) =>
        assert.match(lines.join('\n'), new RegExp(`replaced the job found under "${jobKey(job)}" .*: ${why.source}`));
      replaced(failed, /it had failed/);
      replaced(foreign, /it had failed/);
      replaced(delayed, /it was delayed until/);
      replaced(unreadable, /it could not be read/);
      replaced(foreignDelayed, /it carries another payload than this run/);
      for (const job of jobs) assert.ok(fs.existsSync(path.join(runs, jobKey(job), 'result.json')), 'trained');

      // A result.json holding another run's spec is refused, naming the folder; a result job's too.
      const forgedDir = path.join(runs, jobKey(failed));
      const forged = JSON.parse(fs.readFileSync(path.join(forgedDir, 'result.json'), 'utf8')) as { spec: RunSpec };
      fs.writeFileSync(path.join(forgedDir, 'result.json'), JSON.stringify({ ...forged, spec: other }));
      await assert.rejects(submit(url, runs, [failed]), /result\.json holds another run's spec/);
      const resultDir = path.join(runs, specKey({ kind: 'gan-2d', spec: { seed: 1 } }));
      fs.mkdirSync(resultDir);
      fs.writeFileSync(
        path.join(resultDir, 'result.json'),
        JSON.stringify({ spec: { kind: 'gan-2d', spec: { seed: 2 } }, result: 1, seconds: 1, finishedAt: '' }),
      );
      await assert.rejects(
        cachedResult('gan-2d', { seed: 1 }, async () => 0, undefined, runs),
        /result\.json holds another result's spec/,
      );
      assert.equal(w.child.exitCode, null, 'the worker is up');
    } finally {
      raw.disconnect();
      await queue.close();
      w.child.kill('SIGTERM');
    }
  },
);

test(
  "a job too big for the worker's ceiling is refused at once; a trainer past its memory or its time is killed and the failure says which",
  { timeout: 300_000 },
  async () => {
    const port = await startRedis();
    const e = (q: string) => readExecutor(`redis://127.0.0.1:${port}/${q}`)!;
    const runs = path.join(tmp, 'limits');
    fs.mkdirSync(runs);
    const small = cifarJob(P, 0, 61);
    const huge: RunSpec = {
      ...small,
      model: { ...small.model, width: 256 } as RunSpec['model'],
      data: { ...small.data, trainLimit: 50_000 },
      train: { ...small.train, batchSize: 50_000, epochs: 2000 },
    };
    const cases = [
      { q: 'ceiling', args: [], job: huge, reason: /its size, .* is over this worker's ceiling of .*--max-work/ },
      {
        q: 'memory',
        args: ['--max-memory-gb', '0.2'],
        job: small,
        reason:
          /out of memory: it held [\d.]+ GiB, over this worker's limit of 0\.2 GiB \(raise it with --max-memory-gb\)/,
      },
      {
        q: 'time',
        args: ['--max-run-hours', '0.0005'],
        job: cifarJob({ ...P, epochs: 50 }, 0, 62),
        reason: /killed for time: it ran past this worker's limit of 1\.8 s \(raise it with --max-run-hours\)/,
      },
    ];
    for (const c of cases) {
      const w = startWorker(`redis://127.0.0.1:${port}/${c.q}`, runs, { args: c.args, onText: keep });
      await workerReady(w);
      const queue = new Queue(c.q, { connection: connection(e(c.q)) });
      try {
        // The job asks for a thousand attempts; the queue's own rules apply.
        await queue.add('train', payload(c.job) as never, { jobId: jobKey(c.job), attempts: 1000 });
        const j = await failedJob(queue, jobKey(c.job));
        assert.match(j.failedReason, c.reason, c.q);
        assert.ok(j.attemptsMade <= 1, `${c.q}: failed without retries (${j.attemptsMade} attempts)`);
        assert.doesNotMatch(j.failedReason, /native crash/, `${c.q}: not blamed on TensorFlow`);
        assert.equal(w.child.exitCode, null, `${c.q}: the worker is up`);
      } finally {
        await queue.close();
        w.child.kill('SIGTERM');
      }
    }
  },
);

test('passwords a URL parser misreads are refused without being printed, and a password file works with any of them', async () => {
  for (const url of [
    `redis://mixup:?${SECRET}@127.0.0.1:1`,
    `redis://mixup:a/${SECRET}@127.0.0.1:1`,
    `redis://mixup:${SECRET}#1@127.0.0.1:1`,
    `redis://mixup:${SECRET}/x#@127.0.0.1:1/q`,
  ]) {
    assert.throws(
      () => readExecutor(url, {}),
      (err: Error) =>
        !err.message.includes(SECRET) &&
        /percent-encode them \(%2F, %3F, %23\), or put the password in MIXUP_EXECUTOR_PASSWORD_FILE/.test(err.message),
      url.replace(SECRET, 'SECRET'),
    );
    // Where a notebook meets it: the pool's error, shown in the notebook and the report.
    await assert.rejects(trainRuns([cifarJob(P, 0, 1)], { executor: url }), (err: Error) => {
      keep(err.message);
      return !err.message.includes(SECRET);
    });
  }
  // A base64 password (it may hold '/') from a file, owner-only.
  const file = path.join(tmp, 'b64');
  const b64 = `${SECRET}/+x==`;
  fs.writeFileSync(file, `${b64}\n`, { mode: 0o600 });
  assert.equal(readExecutor('redis://mixup@127.0.0.1:1', { MIXUP_EXECUTOR_PASSWORD_FILE: file })!.password, b64);
});
