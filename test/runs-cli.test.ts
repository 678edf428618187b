/** `npm run runs`: the manifest of a report's runs, and one array task training one of them into a shared run cache. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { useBackend } from '../lib/backend';
import { ABLATION_PROFILES, ABLATION_VARIANTS, ablationJob } from '../lib/experiments/ablation';
import { CIFAR_PROFILES, cifarSpec } from '../lib/experiments/cifar';
import { attackJobs } from '../lib/experiments/adversarial';
import { cifarJob } from '../lib/experiments/jobs';
import { ADVERSARIAL_PROFILES } from '../lib/experiments/report-runs';
import { trainRuns } from '../lib/cluster/pool';
import type { RunResult, RunSpec } from '../lib/runs/cache';
import { runKey } from '../lib/runs/cache';
import { awaitNeeds, Manifest } from '../scripts/runs';
import { cifarSource } from './helpers';

const RUNS = path.resolve(__dirname, '..', 'scripts', 'runs.js');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [RUNS, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MIXUP_CIFAR10: cifarSource(), TF_CPP_MIN_LOG_LEVEL: '2', ...env },
  });

test('the manifest lists every CIFAR run of a report once, keyed as the run cache keys it', async () => {
  const r = cli(['manifest', '--profile', 'smoke']);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as Manifest;
  const keys = m.runs.map((x) => x.key);
  assert.equal(new Set(keys).size, keys.length, 'each run once');
  assert.ok(keys.includes(runKey(cifarSpec(CIFAR_PROFILES.smoke, 0, 1))), "notebook 2's ERM");
  assert.ok(keys.includes(runKey(cifarSpec(CIFAR_PROFILES.smoke, 1, 1))), "notebook 2's mixup");
  assert.ok(keys.includes(runKey(cifarSpec(CIFAR_PROFILES.smoke, 0, 101))), "notebook 5's second ERM");
  for (const v of ABLATION_VARIANTS) {
    for (const wd of ABLATION_PROFILES.smoke.weightDecays) {
      const job = ablationJob(ABLATION_PROFILES.smoke, v, wd, 1);
      assert.ok(keys.includes(runKey(job)), `ablation ${v.name} at ${wd}`);
    }
  }
  assert.ok(
    m.runs.some((x) => 'data' in x.job && x.job.data.corruption !== undefined),
    "notebook 3's noisy-label runs",
  );
  const seeds = JSON.parse(cli(['manifest', '--profile', 'smoke', '--seeds', '1,2']).stdout) as Manifest;
  assert.ok(
    seeds.runs.length > m.runs.length && seeds.runs.some((x) => 'train' in x.job && x.job.train.seed === 2),
    'seeds multiply the runs',
  );
});

test(
  'an array task trains its run into the shared run cache, as the local pool would, bitwise',
  { timeout: 180_000 },
  async () => {
    useBackend('tensorflow');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-runs-cli-'));
    try {
      const file = path.join(tmp, 'runs.json');
      fs.writeFileSync(file, cli(['manifest', '--profile', 'smoke']).stdout);
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
      const key = runKey(cifarSpec(CIFAR_PROFILES.smoke, 1, 1));
      const index = m.runs.findIndex((x) => x.key === key);
      const shared = path.join(tmp, 'shared');
      fs.mkdirSync(shared);
      const r = cli(['train', file], { MIXUP_RUNS_DIR: shared, SLURM_ARRAY_TASK_ID: String(index) });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`task ${index} trains .*\\(${key}\\)`));
      // The same run through the local pool (two workers at one thread each on this machine's two cores).
      const local = path.join(tmp, 'local');
      process.env.MIXUP_RUNS_DIR = local;
      try {
        const [run] = await trainRuns([cifarJob(CIFAR_PROFILES.smoke, 1, 1)], {
          workers: 2,
          executor: 'local',
        });
        run.model.dispose();
      } finally {
        delete process.env.MIXUP_RUNS_DIR;
      }
      const read = (root: string) =>
        JSON.parse(fs.readFileSync(path.join(root, key, 'result.json'), 'utf8')) as RunResult;
      const strip = (x: RunResult) => x.history.map(({ seconds, imgPerSec, ...rest }) => rest);
      if (read(local).threads === 1) assert.deepEqual(strip(read(shared)), strip(read(local)));
      assert.equal(read(shared).threads, 1);
      // Again: already there.
      assert.match(
        cli(['train', file, '--index', String(index)], { MIXUP_RUNS_DIR: shared }).stdout,
        /already in the run cache/,
      );
      // Bad input names the fix.
      assert.match(
        cli(['train', file, '--index', '999'], { MIXUP_RUNS_DIR: shared }).stderr,
        /index 999 is past the manifest's \d+ runs/,
      );
      assert.match(
        cli(['train', file], { MIXUP_RUNS_DIR: shared, SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '' }).stderr,
        /give --index I|index takes/,
      );
      assert.match(cli(['train', path.join(tmp, 'nope.json')]).stderr, /is not a manifest/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
);

test("an array task whose job reads other runs (an attack sweep's models) waits for them, then fails naming them", async () => {
  const [sweep] = attackJobs({ ...ADVERSARIAL_PROFILES.smoke, seeds: [3] });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-needs-'));
  try {
    const models = Object.values((sweep.job.spec as { models: Record<string, RunSpec> }).models);
    await assert.rejects(
      awaitNeeds(sweep.job, root, 0),
      new RegExp(
        `FGSM on the models of seed 3 reads runs not in the run cache after 0 s: .*\\(${runKey(models[0])}\\)`,
      ),
    );
    // Once the models' results are there, the task goes on at its next look.
    const waiting = awaitNeeds(sweep.job, root, 30, 50);
    for (const m of models) {
      fs.mkdirSync(path.join(root, runKey(m)), { recursive: true });
      fs.writeFileSync(path.join(root, runKey(m), 'result.json'), '{}');
    }
    await waiting;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
