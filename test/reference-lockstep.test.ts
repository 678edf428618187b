/**
 * Manifold Mixup's step against the PyTorch reference's (tools/reference/lockstep.ts + lockstep.py): the same initial
 * weights, batch, λ, partners and mixed layer give the same loss to 1e-5, and the steps replayed by lockstep.ts equal
 * lib/train/loop's training bitwise (its self-check). Needs torch in .venv (`npm run
 * bench:torch-install`; .ci/run installs it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cifarSource, ROOT } from './helpers';

const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

/** lockstep.ts then lockstep.py compare on one epoch of 256 images at width 4, mixing at `layers`: both losses per step. */
function lockstep(layers: string, seed: number) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-lockstep-'));
  try {
    const env = { ...process.env, MIXUP_CIFAR10: cifarSource(), CIFAR10_DIR: cifarSource(), TF_CPP_MIN_LOG_LEVEL: '2' };
    // Its self-check: the steps it replays equal lib/train/loop's training bitwise, or it fails.
    const made = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'tools', 'reference', 'lockstep.js'),
        out,
        ...['--alpha', '2', '--layers', layers, '--epochs', '1', '--n', '256', '--width', '4', '--seed', String(seed)],
      ],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    void made;
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      steps: { layer: number }[];
    };
    const table = execFileSync(PYTHON, [path.join(ROOT, 'tools', 'reference', 'lockstep.py'), 'compare', out], {
      env: { ...env, OMP_NUM_THREADS: '1' },
      encoding: 'utf8',
      cwd: path.join(ROOT, 'tools', 'reference'),
    });
    const rows = table
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => /^\d+$/.test(c[0]) && c.length >= 4)
      .map((c) => ({ step: Number(c[0]), ours: Number(c[2]), ref: Number(c[3]) }));
    assert.equal(rows.length, manifest.steps.length, table);
    assert.match(table, /every batch rebuilt from the recorded draws equals the one mixup-lab trained on/);
    return { rows, layers: manifest.steps.map((s) => s.layer), table };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

test('Manifold Mixup: from the same weights, the reference mixes the same hidden state by the same λ and partners, and its loss equals ours to 1e-5', () => {
  for (const [layer, seed] of [
    [1, 3],
    [2, 4],
  ]) {
    const r = lockstep(String(layer), seed);
    assert.ok(
      r.layers.every((k) => k === layer),
      `every step mixed after stage ${layer}: ${r.layers.join(',')}`,
    );
    // The first step starts from the same weights; later ones from weights that float rounding has moved apart.
    const first = r.rows[0];
    assert.ok(
      Math.abs(first.ours - first.ref) < 1e-5,
      `after stage ${layer}: loss ours ${first.ours}, reference ${first.ref}\n${r.table}`,
    );
  }
});
