/**
 * Notebook 4's PyTorch reference (tools/reference/export-uci.ts + uci.py): the exported rows are the ones our loader
 * gives a run, uci.py trains every run of the export reproducibly and resumes where a file stops, and the lines it
 * writes are read back at the notebook's protocol and compared. Needs torch in .venv (`npm run setup` installs it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { TabularData } from '../lib/data/dataset';
import { dataSet } from '../lib/data/sets';
import { UCI_PROFILES, uciRuns, uciSpec } from '../lib/experiments/uci';
import { uciComparison } from '../lib/findings/uci';
import { uciReferenceRuns } from '../lib/reference/uci';
import { ROOT } from './helpers';

const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const UCI_PY = path.join(ROOT, 'tools', 'reference', 'uci.py');
const P = { ...UCI_PROFILES.smoke, profile: 'smoke' as const };

test('UCI reference: the rows our loader gives, every run trained reproducibly and resumably, read back and compared', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uci-ref-'));
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', OMP_NUM_THREADS: '1' };
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'tools', 'reference', 'export-uci.js'), dir, '--profile', 'smoke'],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'runs.json'), 'utf8')) as {
    splits: Record<string, { train: number; test: number; inputs: number }>;
    runs: { name: string }[];
  };
  assert.equal(manifest.runs.length, uciRuns(P).length, 'one reference run per run of ours');

  // The validation rows of iris, raw, seed 1, byte for byte as a run of ours loads them.
  const spec = uciSpec(P, 'iris', 1, 1, { scaling: 'raw', scored: 'validation' });
  const loaded = await dataSet(spec.data).load(spec.data, 1);
  const exported = fs.readFileSync(path.join(dir, 'iris-raw-validation-s1.test.x.f32'));
  const ours = (loaded.test as TabularData).features;
  assert.ok(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(exported), 'exported rows are ours');
  assert.equal(manifest.splits['iris-raw-validation-s1'].train, loaded.train.n);

  // One run twice: the same line but its seconds.
  const one = path.join(dir, 'one.jsonl');
  for (let i = 0; i < 2; i++) execFileSync(PYTHON, [UCI_PY, 'run', dir, 'iris-standard-test-s1-a1', one], { env });
  const [a, b] = fs
    .readFileSync(one, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual({ ...a, s: 0 }, { ...b, s: 0 });
  assert.ok(typeof a.error === 'number' && a.error >= 0 && a.error <= 100);

  // `all` resumes: a file holding some runs gets only the others.
  const out = path.join(dir, 'uci-smoke.jsonl');
  fs.copyFileSync(one, out);
  execFileSync(PYTHON, [UCI_PY, 'all', dir, out], { env });
  const names = fs
    .readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { name: string }).name);
  assert.equal(names.length, manifest.runs.length + 1, 'the two kept lines and every other run once');
  assert.deepEqual(new Set(names), new Set(manifest.runs.map((r) => r.name)));

  // Read back at the protocol (a line of another protocol left out), then compared as the notebook does.
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'uci-ref-results-'));
  const other = { ...JSON.parse(fs.readFileSync(one, 'utf8').split('\n')[0]), name: 'other', epochs: 3 };
  fs.writeFileSync(path.join(results, 'uci-smoke.jsonl'), fs.readFileSync(out, 'utf8') + JSON.stringify(other) + '\n');
  const runs = uciReferenceRuns(P, results);
  assert.equal(runs.length, manifest.runs.length);
  const cmp = uciComparison(runs, runs, P);
  assert.equal(cmp.rows.length, P.sets.length * P.scalings.length * 3);
  const chosen = cmp.rows.find((r) => r.method === 'mixup, α chosen on validation')!;
  assert.match(String(chosen['α chosen per seed (ours; reference)']), /^(1|4); (1|4)$/);
  // One seed a side: no verdict and no Welch test, and the finding says so rather than "0 of 0".
  for (const set of P.sets) assert.match(cmp.finding.sentence, new RegExp(`not readable on .*${set} \\(raw\\)`));
  assert.match(
    cmp.finding.sentence,
    /Welch can test no row of ours against the reference \(fewer than two seeds a side\)/,
  );

  fs.writeFileSync(path.join(results, 'uci-bad.jsonl'), JSON.stringify({ ...other, scaling: 'minmax' }) + '\n');
  assert.throws(() => uciReferenceRuns(P, results), /uci-bad\.jsonl: run other has scaling minmax/);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(results, { recursive: true, force: true });
});
