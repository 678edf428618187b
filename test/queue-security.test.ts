/**
 * The queue lets in only those who hold its key, on real redis-servers (Debian's, built with TLS): a password (in the
 * URL or a file), TLS with a CA made here (the docs' ACL user: test/queue-setup); workers refuse malformed and hostile payloads and keep
 * working; a submitter says when no worker is there; and no log line holds the password.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { useBackend } from '../lib/backend';
import { assertReachable, connection, maskUrl, readExecutor } from '../lib/cluster/executor';
import { fingerprint } from '../lib/cluster/fingerprint';
import { MAX_PAYLOAD_BYTES } from '../lib/cluster/payload';
import { trainRuns } from '../lib/cluster/pool';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob } from '../lib/experiments/jobs';
import { RunResult, runKey, RunSpec } from '../lib/runs/cache';
import { stopAll } from '../scripts/processes';
import { startRedis } from '../scripts/redis';
import { makeTestCa, tlsArgs } from '../scripts/tls';
import { cifarSource, historyNumbers, until } from './helpers';
import { startWorker, workerReady } from './queue-helpers';

const P = { ...CIFAR_PROFILES.smoke, epochs: 2 };
const SECRET = `pw-${randomBytes(12).toString('hex')}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-queue-sec-'));
const passwordFile = path.join(tmp, 'redis-password');
/** Every line any process printed in these tests: none may hold the password. */
const printed: string[] = [];

before(() => {
  useBackend('tensorflow');
  fs.writeFileSync(passwordFile, `${SECRET}\n`, { mode: 0o600 });
});

after(async () => {
  await stopAll(2000);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(
    printed.filter((l) => l.includes(SECRET)),
    [],
    'no log line of a worker, submitter or sweep holds the password',
  );
});

const worker = (url: string, runs: string, env: NodeJS.ProcessEnv = {}) =>
  startWorker(url, runs, { env, onText: (t) => printed.push(...t.split('\n')) });
const ready = workerReady;

async function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** trainRuns on the run cache `runs`, through `executor` (or the local pool), every line it prints kept. */
async function train(runs: string, jobs: RunSpec[], executor = 'local', env: NodeJS.ProcessEnv = {}) {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  return withEnv({ MIXUP_RUNS_DIR: runs, ...env }, async () => {
    const out = await trainRuns(jobs, {
      workers: 2,
      executor,
      log: (l) => printed.push(l),
    });
    for (const r of out) r.model.dispose();
    return out;
  });
}

const resultOf = (runs: string, job: RunSpec) =>
  JSON.parse(fs.readFileSync(path.join(runs, runKey(job), 'result.json'), 'utf8')) as RunResult;

test(
  'a password: refused without it (naming authentication), and from the URL or a file a run trains, bitwise equal',
  {
    timeout: 240_000,
  },
  async () => {
    const port = await startRedis(10_000, {
      args: ['--requirepass', SECRET],
      probe: (p) => `redis://:${SECRET}@127.0.0.1:${p}`,
    });
    const bare = `redis://127.0.0.1:${port}/auth`;
    const t0 = Date.now();
    await assert.rejects(assertReachable(readExecutor(bare)!), (e: Error) => {
      assert.match(e.message, /authentication failed .*MIXUP_EXECUTOR_PASSWORD_FILE/);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000, 'within seconds');
    // The URL's password is masked wherever the executor is printed.
    const withPassword = `redis://:${SECRET}@127.0.0.1:${port}/auth`;
    const e = readExecutor(withPassword)!;
    assert.equal(e.url, `redis://:***@127.0.0.1:${port}/auth`);
    assert.equal(maskUrl(`rediss://u:${SECRET}@h:1/q`), 'rediss://u:***@h:1/q');
    await assertReachable(e);
    // A password from the file, and a warning for credentials in clear to a host that is not this one.
    const warnings: string[] = [];
    const fromFile = readExecutor(
      `redis://10.0.0.5:${port}/auth`,
      { MIXUP_EXECUTOR_PASSWORD_FILE: passwordFile },
      (l) => warnings.push(l),
    )!;
    assert.equal(fromFile.password, SECRET);
    assert.match(warnings.join('\n'), /cross the network in clear; use rediss:\/\//);
    assert.throws(
      () => readExecutor(withPassword, { MIXUP_EXECUTOR_PASSWORD_FILE: passwordFile }),
      /carries a password and MIXUP_EXECUTOR_PASSWORD_FILE names another/,
    );

    const job = cifarJob(P, 1, 21);
    const local = path.join(tmp, 'auth-local');
    await train(local, [job]);
    const shared = path.join(tmp, 'auth-shared');
    fs.mkdirSync(shared);
    // The worker's password from the file, the submitter's from its URL.
    const w = worker(bare, shared, { MIXUP_EXECUTOR_PASSWORD_FILE: passwordFile });
    await ready(w);
    assert.match(w.log(), /taking runs from redis:\/\/127\.0\.0\.1/);
    await train(shared, [job], withPassword);
    assert.deepEqual(historyNumbers(resultOf(shared, job).history), historyNumbers(resultOf(local, job).history));
    w.child.kill('SIGTERM');
  },
);

test(
  'TLS only: rediss:// with the CA made here trains a run; without the CA it fails naming TLS',
  { timeout: 240_000 },
  async () => {
    const certs = makeTestCa(path.join(tmp, 'tls'));
    const ca = certs.ca;
    const tlsEnv = { MIXUP_EXECUTOR_CA: ca, MIXUP_EXECUTOR_PASSWORD_FILE: passwordFile };
    const port = await startRedis(10_000, {
      tls: true,
      args: ['--requirepass', SECRET, ...tlsArgs(certs)],
      probe: (p) => `rediss://127.0.0.1:${p}/tls`,
      env: tlsEnv,
    });
    const url = `rediss://127.0.0.1:${port}/tls`;
    await assert.rejects(
      assertReachable(readExecutor(url, { MIXUP_EXECUTOR_PASSWORD_FILE: passwordFile })!),
      /TLS failed .*MIXUP_EXECUTOR_CA/,
    );
    await assert.rejects(assertReachable(readExecutor(`redis://127.0.0.1:${port}/tls`)!), /cannot reach Redis/);
    assert.throws(() => readExecutor(url, { MIXUP_EXECUTOR_CERT: ca }), /mutual TLS needs both/);
    const shared = path.join(tmp, 'tls-shared');
    fs.mkdirSync(shared);
    const w = worker(url, shared, tlsEnv);
    await ready(w);
    const job = cifarJob(P, 0, 22);
    await withEnv(tlsEnv, () => train(shared, [job], url));
    assert.ok(fs.existsSync(path.join(shared, runKey(job), 'result.json')));
    w.child.kill('SIGTERM');
  },
);

test(
  'malformed and hostile payloads are failed with their reason; the worker stays up and trains a good job next',
  {
    timeout: 240_000,
  },
  async () => {
    const port = await startRedis();
    const url = `redis://127.0.0.1:${port}/payloads`;
    const shared = path.join(tmp, 'payloads');
    fs.mkdirSync(shared);
    const w = worker(url, shared);
    await ready(w);
    const e = readExecutor(url)!;
    const queue = new Queue(e.queue, { connection: connection(e) });
    const job = cifarJob(P, 0, 23);
    const good = { job, fingerprint: fingerprint(job), submitter: 'test' };
    const withTrain = (t: object) => ({ ...good, job: { ...job, train: { ...job.train, ...t } } });
    const withData = (d: object) => ({ ...good, job: { ...job, data: { ...job.data, ...d } } });
    const { width: _, ...noWidth } = job.model as { width: number };
    const bad: [string, unknown, RegExp][] = [
      ['unknown-set', withData({ set: 'evil' }), /job\.data\.set: /],
      ['unknown-model', { ...good, job: { ...job, model: { ...job.model, kind: 'evil' } } }, /job\.model\.kind: /],
      ['negative-epochs', withTrain({ epochs: -1 }), /job\.train\.epochs: Too small/],
      ['huge-epochs', withTrain({ epochs: 1e9 }), /job\.train\.epochs: Too big/],
      ['string-epochs', withTrain({ epochs: '3' }), /job\.train\.epochs: .*expected number/],
      ['missing-width', { ...good, job: { ...job, model: noWidth } }, /job\.model\.width: .*expected number/],
      ['bad-noise', withData({ corruption: 2, corruptionSeed: 1 }), /job\.data\.corruption: Too big/],
      ['huge-cifar', withData({ trainLimit: 1e6 }), /job\.data\.trainLimit: Too big/],
      ['unknown-data-key', withData({ path: '/etc/passwd' }), /job\.data: Unrecognized key/],
      [
        'bad-speech-split',
        {
          ...good,
          job: {
            ...job,
            data: {
              set: 'fsdd-v1.0.10',
              split: '../../x',
              seconds: 1,
              frames: { frameLength: 160, frameStep: 80 },
              features: 'f',
            },
          },
        },
        /job\.data\.split: /,
      ],
      ['bad-variant', withTrain({ mixup: { alpha: 1, pairing: 'evil' } }), /job\.train\.mixup\.pairing/],
      [
        'bad-fingerprint',
        { ...good, fingerprint: { lib: 'x', data: 'y' } },
        /fingerprint\.lib: expected 16 hex digits/,
      ],
      ['not-an-object', 'rm -rf /', /\(the payload\): /],
      [
        'ten-megabytes',
        { ...good, submitter: 'x'.repeat(10 * 1024 * 1024) },
        new RegExp(`over the ${MAX_PAYLOAD_BYTES}`),
      ],
    ];
    try {
      for (const [id, data] of bad) await queue.add('train', data as never, { jobId: id, attempts: 3 });
      for (const [id, , reason] of bad) {
        await until(`${id} to fail`, async () => (await (await queue.getJob(id))?.isFailed()) ?? false, 60_000);
        const j = (await queue.getJob(id))!;
        assert.match(j.failedReason, new RegExp(`refused job "${id}": `), id);
        assert.match(j.failedReason, reason, id);
        // Failed for good at once: no retries of a payload that can never pass, and no trainer started for it.
        assert.ok(j.attemptsMade <= 1, `${id}: ${j.attemptsMade} attempts`);
        assert.doesNotMatch(w.log(), new RegExp(`\\(${id}\\) started`), `${id} reached no trainer`);
      }
      assert.equal(w.child.exitCode, null, 'the worker is still up');
      // A good payload under its own key trains (a job's id is its run's key: test/queue-attacks).
      const key = runKey(job);
      await queue.add('train', good as never, { jobId: key });
      await until('the good job', async () => (await (await queue.getJob(key))?.isCompleted()) ?? false, 120_000);
    } finally {
      await queue.close();
    }
    // The submitter's side checks with the same schema before sending.
    await assert.rejects(
      train(path.join(tmp, 'p2'), [cifarJob({ ...P, epochs: 0 }, 0, 1)], url),
      /job\.train\.epochs: Too small/,
    );
    w.child.kill('SIGTERM');
  },
);

test(
  'a submitter with no worker says so within seconds, and its runs finish once a worker comes',
  { timeout: 240_000 },
  async () => {
    const port = await startRedis();
    const url = `redis://127.0.0.1:${port}/lonely`;
    const shared = path.join(tmp, 'lonely');
    fs.mkdirSync(shared);
    const lines: string[] = [];
    const job = cifarJob(P, 1, 24);
    const done = withEnv({ MIXUP_RUNS_DIR: shared }, () =>
      trainRuns([job], { workers: 2, executor: url, log: (l) => lines.push(l) }).then((rs) => {
        for (const r of rs) r.model.dispose();
      }),
    );
    await until('the line that no worker is there', () => lines.some((l) => /no worker is connected/.test(l)), 10_000);
    assert.match(
      lines.join('\n'),
      /queue lonely \(MIXUP_EXECUTOR=redis:\/\/127\.0\.0\.1:\d+\/lonely\): no worker is connected.*npm run worker/,
    );
    const w = worker(url, shared);
    await done;
    assert.ok(
      lines.some((l) => /training on /.test(l)),
      'a line once a worker takes the run',
    );
    printed.push(...lines);
    w.child.kill('SIGTERM');
  },
);
