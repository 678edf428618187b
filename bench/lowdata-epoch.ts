/**
 * The end-to-end row of `npm run bench`: one epoch of the low-data protocol as the notebooks run it — the first
 * 2,500 CIFAR-10 training images, PreAct ResNet-18 width 16, crop + flip, mixup α = 1, batch 128, then one scoring
 * of all 10,000 test images — in mixup-lab (lib/train, a fresh process, first epoch included) and in the PyTorch
 * reference trainer (tools/reference/train.py) on the same cores, in the same run.
 * The reference's own clock covers the same span (its per-epoch record: training plus the test scoring).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useBackend } from '../lib/backend';
import { loadCifar10, resolveCifar10 } from '../lib/data/cifar10';
import { CIFAR_PROFILES, cifarSpec } from '../lib/experiments/cifar';
import { buildModel } from '../lib/models';
import { train, TrainConfig } from '../lib/train/loop';

export interface EpochRow {
  backend: string;
  seconds: number;
  test_error: number;
  peak_rss_mb: number;
}

const ROOT = path.resolve(__dirname, '..', '..');
export const TORCH_PROTOCOL = path.join(ROOT, 'tools', 'reference', 'train.py');

/** One low-data epoch in this process (call in a fresh child so the time and peak memory are its own). */
export async function mixupLabEpoch(): Promise<EpochRow> {
  useBackend('tensorflow');
  const p = CIFAR_PROFILES.lowdata;
  const data = await loadCifar10({ trainLimit: p.trainLimit, testLimit: p.testLimit });
  const spec = cifarSpec(p, p.alpha, 1);
  const model = buildModel(spec.model as Parameters<typeof buildModel>[0], 1);
  const t = Date.now();
  const { history } = await train(model, data, { ...(spec.train as unknown as TrainConfig), epochs: 1 });
  const seconds = (Date.now() - t) / 1000;
  model.dispose();
  return {
    backend: 'tensorflow',
    seconds: +seconds.toFixed(1),
    test_error: +(100 * history[0].testError!).toFixed(2),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** The same epoch in the PyTorch reference (its FGSM tail switched off), or why it could not run. */
export async function torchEpoch(python: string): Promise<EpochRow | string> {
  let dir: string;
  try {
    dir = await resolveCifar10();
  } catch (e) {
    return `skipped: ${e instanceof Error ? e.message : e}`;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-bench-'));
  const p = CIFAR_PROFILES.lowdata;
  const code = [
    'import sys, json, resource',
    `sys.path.insert(0, ${JSON.stringify(path.dirname(TORCH_PROTOCOL))})`,
    `import ${path.basename(TORCH_PROTOCOL, '.py')} as t`,
    't.EPS = []  # one epoch and its test scoring only, no attack',
    `t.run('bench', ${JSON.stringify(dir)}, ${p.trainLimit}, ${p.width}, 1, ${p.alpha}, 0.0, 1, ${JSON.stringify(path.join(tmp, 'r.jsonl'))}, ${JSON.stringify(path.join(tmp, 'm.pt'))})`,
    `rec = json.loads(open(${JSON.stringify(path.join(tmp, 'r.jsonl'))}).readline())`,
    "print(json.dumps({'backend': 'pytorch', 'seconds': rec['s'], 'test_error': rec['test_err'], 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))",
  ].join('\n');
  try {
    const r = spawnSync(python, ['-c', code], { encoding: 'utf8', env: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) return `failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
    return JSON.parse(line) as EpochRow;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
