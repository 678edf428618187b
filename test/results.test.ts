/** The documentation's measured figures come from results/ through `npm run results`, never typed by hand. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { blockFiles, generateAll, GENERATORS, regenerate, WHOLE } from '../scripts/results';
import { lowdataMeasures } from '../scripts/generators/lowdata';
import { recordTimings, runCacheEmpty } from '../scripts/report';
import { CIFAR_PROFILES, cifarSpec } from '../lib/experiments/cifar';
import { runKey, specKey } from '../lib/runs/cache';
import { publishedRuns } from '../lib/runs/published';
import { welchTest } from '../lib/stats';

const ROOT = path.resolve(__dirname, '..', '..');

test('every generated file equals what its generator makes from results/ (npm run results -- --check)', async () => {
  const all = await generateAll();
  const stale = all.filter((g) => g.current !== g.next).map((g) => g.file);
  assert.deepEqual(stale, [], 'stale generated files: run `npm run results` (or restore results/ from git)');
  for (const file of Object.keys(WHOLE))
    assert.ok(
      all.some((g) => g.file === file && g.current !== null),
      `${file} exists`,
    );
  // Every generator has its block somewhere, once.
  const names = blockFiles().flatMap((f) =>
    [...fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/<!-- results:([\w-]+) -->/g)].map((m) => m[1]),
  );
  assert.deepEqual([...new Set(names)].sort(), Object.keys(GENERATORS).sort());
  assert.equal(names.length, new Set(names).size, 'each block once');
});

test('a figure edited by hand inside a block is undone, not kept', () => {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const edited = text.replace(
    /(<!-- results:headline -->\n\|[^\n]*\n\|[^\n]*\n\| [^|]+\| )(\d)/,
    (_, a: string, d: string) => `${a}${(Number(d) + 1) % 10}`,
  );
  assert.notEqual(edited, text);
  assert.equal(regenerate(edited), text);
});

test('a block with no generator, or left open, is an error that names it', () => {
  assert.throws(
    () => regenerate('<!-- results:nope -->\nx\n<!-- /results:nope -->\n'),
    /results:nope has no generator: use one of .*headline/,
  );
  assert.throws(() => regenerate('<!-- results:headline -->\nx\n'), /results:headline is not closed/);
});

test('the headline counts each seed once, whatever its reruns, and tests seeds against the reference with Welch', () => {
  const [erm, mixup, gain] = lowdataMeasures();
  // Every published run of notebook 2's ERM configuration at the lowdata protocol, found here by its spec alone.
  const want = cifarSpec(CIFAR_PROFILES.lowdata, 0, 0);
  const runs = publishedRuns().filter(
    ({ run: { spec } }) =>
      specKey({ ...spec, train: { ...spec.train, seed: 0 } }) === specKey(want) && spec.data.corruption === undefined,
  );
  const seeds = new Set(runs.map((r) => r.run.spec.train.seed));
  assert.equal(erm.ours.size, seeds.size);
  assert.ok(erm.runs > erm.ours.size, 'seed 1 has reruns in results/, so runs outnumber seeds');
  // Seed 1's value is the mean of its runs.
  const seed1 = runs.filter((r) => r.run.spec.train.seed === 1).map((r) => 100 * r.run.history.at(-1)!.testError!);
  assert.ok(Math.abs(erm.ours.get(1)! - seed1.reduce((a, b) => a + b, 0) / seed1.length) < 1e-9);
  for (const [s, v] of gain.ours) assert.ok(Math.abs(v - (erm.ours.get(s)! - mixup.ours.get(s)!)) < 1e-9);
  assert.ok(mixup.ref.size >= 5 && erm.ref.size >= 5, 'the reference has five seeds of each');
  // Welch's test against a hand check: same data gives p = 1; clearly apart gives a small p.
  assert.ok(Math.abs(welchTest([1, 2, 3], [1, 2, 3])!.p - 1) < 1e-12);
  assert.ok(welchTest([1, 1.1, 0.9, 1.05], [5, 5.1, 4.9, 5.02])!.p < 1e-4);
  assert.equal(welchTest([1], [2, 3]), null);
});

test('every published run still loads and keeps its cache key', () => {
  const runs = publishedRuns();
  assert.ok(runs.length > 50, `found ${runs.length} runs`);
  for (const { folder, run } of runs) {
    const file = path.join(ROOT, 'results', folder, `${runKey(run.spec)}.json`);
    assert.ok(fs.existsSync(file), `${folder}: a run whose file is not named by its key (${runKey(run.spec)})`);
    assert.ok(run.history.length > 0 && typeof run.seconds === 'number');
  }
});

test('the report records its timings only from an empty run cache, with machine and commit', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-timings-'));
  try {
    assert.equal(runCacheEmpty(path.join(tmp, 'none')), true);
    fs.mkdirSync(path.join(tmp, 'runs', '.slots'), { recursive: true });
    assert.equal(runCacheEmpty(path.join(tmp, 'runs')), true, 'the slots folder is not a run');
    fs.mkdirSync(path.join(tmp, 'runs', 'abc'));
    assert.equal(runCacheEmpty(path.join(tmp, 'runs')), false);
    const file = recordTimings(
      { names: [], profile: 'smoke', out: tmp, lanes: 2 },
      [{ notebook: '01-toy-2d.ipynb', seconds: 3.21, output: '' }],
      4.56,
      path.join(tmp, 'results'),
    );
    const t = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(file, path.join(tmp, 'results', 'smoke', 'timings.json'));
    assert.deepEqual(t.notebooks, [{ notebook: '01-toy-2d', seconds: 3.2 }]);
    assert.equal(t.wallSeconds, 4.6);
    assert.match(t.commit, /^[0-9a-f]{7,}/);
    assert.equal(t.cores, os.availableParallelism());
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
