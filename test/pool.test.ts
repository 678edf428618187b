import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { isNative } from '../lib/backend';
import { loadCifar10 } from '../lib/data/cifar10';
import { evaluate } from '../lib/eval/metrics';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob, corruptedJob } from '../lib/experiments/jobs';
import { threadsPerWorker, trainRuns } from '../lib/cluster/pool';
import { claimSlot, slotFile, SLOTS_DIR } from '../lib/runs/slots';
import type { EpochRecord } from '../lib/train/loop';
import { backendForTests, cifarSource } from './helpers';

backendForTests();
const P = { ...CIFAR_PROFILES.smoke, trainLimit: 192, testLimit: 100, epochs: 2 };

/** Runs `fn` with the run cache in a fresh folder (workers inherit MIXUP_RUNS_DIR from this process). */
async function inRunsDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const before = process.env.MIXUP_RUNS_DIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-pool-'));
  process.env.MIXUP_RUNS_DIR = dir;
  try {
    return await fn(dir);
  } finally {
    if (before === undefined) delete process.env.MIXUP_RUNS_DIR;
    else process.env.MIXUP_RUNS_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const numbers = (h: EpochRecord[]) => h.map((e) => [e.trainLoss, e.trainError, e.testLoss, e.testError, e.extra]);

test('worker pool: runs train side by side in worker processes, report progress, and load from the cache in order', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
  const jobs = [cifarJob(P, 0, 1), cifarJob(P, 1, 1), corruptedJob({ ...P, probe: 50 }, 0.5, 8, 1)];
  const paired = await inRunsDir(async () => {
    const events: string[][] = jobs.map(() => []);
    const progress = (_: unknown, i: number) => ({
      onStep: () => {
        events[i].push('step');
      },
      onEpoch: (r: EpochRecord) => {
        events[i].push(`epoch ${r.epoch}`);
      },
      onCached: () => {
        events[i].push('cached');
      },
    });
    const pids: number[] = [];
    const runs = await trainRuns(jobs, {
      workers: 2,
      progress,
      onWorkerJob: (i, pid) => {
        pids[i] = pid;
      },
    });
    // Two processes took the three jobs: the first two at once, the third after whichever finished first.
    assert.notEqual(pids[0], pids[1]);
    assert.ok(pids[2] === pids[0] || pids[2] === pids[1]);
    // Each job's progress arrives from its worker, then the notebook's copy is read from the cache.
    for (const e of events) {
      assert.deepEqual(
        e.filter((x) => x !== 'step'),
        ['epoch 0', 'epoch 1', 'cached'],
      );
      assert.ok(e.filter((x) => x === 'step').length >= 2);
    }
    assert.deepEqual(
      runs.map((r) => [r.spec.train.mixup.alpha, r.spec.data.corruption ?? 0]),
      [
        [0, 0],
        [1, 0],
        [8, 0.5],
      ],
    );
    for (const r of runs) {
      assert.equal(r.cached, true);
      assert.equal(r.history.length, 2);
      if (isNative()) assert.equal(r.threads, threadsPerWorker(2), 'the worker trained with its share of the cores');
    }
    assert.ok(
      runs[2].history.every((e) => typeof e.extra.corruptedTrainError === 'number'),
      'the memorisation probes ran in the worker',
    );
    // The last epoch alone records calibration, from the same pass as its test error, and the confidence on inputs of
    // no class (lib/eval/ood); a 10-class model's top probability is at least 0.1.
    for (const r of runs) {
      const [first, last] = r.history;
      assert.equal(first.calibration, undefined);
      assert.equal(first.extra.oodNoiseConfidence, undefined);
      assert.equal(last.calibration!.ece, last.testEce);
      assert.equal(last.calibration!.error, last.testError);
      assert.equal(last.calibration!.n, P.testLimit);
      for (const key of ['oodNoiseConfidence', 'oodShuffledConfidence'])
        assert.ok(last.extra[key] >= 0.1 && last.extra[key] <= 1, `${key} = ${last.extra[key]}`);
      for (const key of ['oodNoiseOver90', 'oodShuffledOver90'])
        assert.ok(last.extra[key] >= 0 && last.extra[key] <= 1, `${key} = ${last.extra[key]}`);
    }
    // The restored model is the trained one: it scores the test set as the run's last epoch did.
    assert.equal(evaluate(runs[0].model, data.test, 100).error, runs[0].history.at(-1)!.testError);
    // A second call finds everything cached: no worker, no training.
    const again = events.map(() => [] as string[]);
    const rerun = await trainRuns(jobs, {
      workers: 2,
      progress: (_, i) => ({
        onStep: () => {
          again[i].push('step');
        },
        onCached: () => {
          again[i].push('cached');
        },
      }),
    });
    assert.deepEqual(
      again,
      jobs.map(() => ['cached']),
    );
    for (const r of [...runs, ...rerun]) r.model.dispose();
    return runs.map((r) => numbers(r.history));
  });
  // The mixup run again, alone in the pool: the thread count depends on the worker count only, so a seed gives the
  // same numbers whether its run trained beside another or not.
  const alone = await inRunsDir(async () => {
    const [r] = await trainRuns([jobs[1]], { workers: 2 });
    r.model.dispose();
    return numbers(r.history);
  });
  assert.deepEqual(alone, paired[1]);
});

test('worker pool: two callers asking for the same runs at once (two notebooks) train each run once', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
  const jobs = [cifarJob(P, 0, 3), cifarJob(P, 1, 3)];
  await inRunsDir(async () => {
    const steps = [
      [0, 0],
      [0, 0],
    ];
    const call = (c: number) =>
      trainRuns(jobs, {
        workers: 2,
        progress: (_, i) => ({
          onStep: () => {
            steps[c][i]++;
          },
        }),
      });
    const [a, b] = await Promise.all([call(0), call(1)]);
    for (let i = 0; i < jobs.length; i++) {
      assert.equal(
        steps.filter((s) => s[i] > 0).length,
        1,
        `run ${i} trained by exactly one caller, the other waited for it`,
      );
      assert.deepEqual(numbers(a[i].history), numbers(b[i].history));
    }
    for (const r of [...a, ...b]) r.model.dispose();
  });
});

test('worker pool: two pools on one run cache (two notebooks side by side) train no more than `workers` runs at once', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
  const Q = { ...P, epochs: 4 };
  await inRunsDir(async (dir) => {
    const pools = [
      [cifarJob(Q, 0, 5), cifarJob(Q, 1, 5)],
      [cifarJob(Q, 0, 6), cifarJob(Q, 1, 6)],
    ];
    const pids = new Set<number>();
    const runs = (
      await Promise.all(
        pools.map((jobs) =>
          trainRuns(jobs, {
            workers: 2,
            onWorkerJob: (_, pid) => {
              pids.add(pid);
            },
          }),
        ),
      )
    ).flat();
    assert.equal(pids.size, 4, 'each pool started its two workers');
    // Each run's training interval, from its result: at no moment did more than two overlap.
    const spans = runs.map((r) => {
      const end = Date.parse(r.finishedAt);
      return [end - 1000 * r.seconds, end];
    });
    const most = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && start < e).length));
    assert.ok(most <= 2, `${most} runs trained at once on two slots`);
    assert.equal(fs.readdirSync(path.join(dir, SLOTS_DIR)).length, 0, 'every slot released');
    for (const r of runs) r.model.dispose();
  });
});

test('worker pool: jobs of two protocols (different image counts) each train on their own subset, loaded where they train (lib/data/sets)', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const small = { ...P, trainLimit: 128, epochs: 1, probe: 30 };
  const jobs = [corruptedJob({ ...P, epochs: 1, probe: 30 }, 0.5, 0, 7), corruptedJob(small, 0.5, 0, 7)];
  await inRunsDir(async () => {
    const runs = await trainRuns(jobs, { workers: 2 });
    assert.deepEqual(
      runs.map((r) => r.spec.data.trainLimit),
      [P.trainLimit, 128],
    );
    // The 128-image run redrew the labels of its own 128 images, and its spec, named before any data is loaded, is the
    // one it trained under.
    assert.deepEqual(runs[1].spec, jobs[1]);
    assert.deepEqual(runs[0].spec, jobs[0]);
    assert.notDeepEqual(runs[0].spec.data, runs[1].spec.data);
    for (const r of runs) r.model.dispose();
  });
});

test("training slots: a claim waits while the slots are held and takes over a dead holder's", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-slots-'));
  try {
    const release = await claimSlot(1, root, 20);
    let second = false;
    const waiting = claimSlot(1, root, 20).then((r) => {
      second = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(second, false, 'the only slot is held: the second claim waits');
    release();
    (await waiting)();
    // A slot left by a process that is gone (a killed worker) is taken over.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    fs.writeFileSync(slotFile(root, 0), gone.stdout.toString());
    const taken = await Promise.race([
      claimSlot(1, root, 20),
      new Promise((resolve) => setTimeout(() => resolve(null), 2000)),
    ]);
    assert.ok(taken, "a dead holder's slot is taken over");
    await assert.rejects(claimSlot(0, root), /training slots must be a whole number ≥ 1, got 0/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('worker pool: a run that fails in its worker fails the call, naming the run and the reason', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
  await inRunsDir(async () => {
    const pids: number[] = [];
    await assert.rejects(
      trainRuns([cifarJob(P, 0, 1), cifarJob({ ...P, batchSize: 1 }, 1, 2)], {
        workers: 2,
        onWorkerJob: (i, pid) => {
          pids[i] = pid;
        },
      }),
      /CIFAR-10 run α = 1, seed 2 failed in its worker: batchSize must be an integer ≥ 2, got 1/,
    );
    assert.equal(pids.length, 2);
    assert.notEqual(pids[0], pids[1], 'two jobs, two workers at once');
  });
  await assert.rejects(trainRuns([], { workers: 0 }), /workers must be a whole number ≥ 1, got 0/);
});

test('worker pool: a worker killed by a native crash (SIGSEGV) fails the call naming it and the rerun without AVX-512', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
  await inRunsDir(async () => {
    // The signal a crash in TensorFlow's native code ends a process with, sent to the worker as it takes its job.
    await assert.rejects(
      trainRuns([cifarJob({ ...P, epochs: 50 }, 0, 1), cifarJob({ ...P, epochs: 50 }, 1, 1)], {
        workers: 2,
        onWorkerJob: (i, pid) => {
          if (i === 0) process.kill(pid, 'SIGSEGV');
        },
      }),
      /the worker training CIFAR-10 run α = 0, seed 1 stopped \(SIGSEGV: a native crash in TensorFlow: rerun with ONEDNN_MAX_CPU_ISA=AVX2 and report it\)/,
    );
  });
});
