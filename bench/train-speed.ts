/**
 * `npm run bench [-- --backends tensorflow,cpu,pytorch --widths 8,16,64 --batch 128 --steps 10 --repeat 3 --epoch yes]`
 * PreAct ResNet-18 on 32×32×3, one SGD step (momentum, weight decay) per batch, after warm-up: training and
 * inference images per second and peak RSS, per backend and width, with PyTorch CPU (bench/torch_speed.py
 * in .venv, when torch is installed there: `npm run bench:torch-install`) as the yardstick in the same run.
 * Each setting runs in its own process so its peak RSS is its own; settings of one width alternate backends
 * `--repeat` times and each keeps its best speed (this VM's throughput drifts by ±10 % between minutes, which
 * a single short run of each side turned into ratios from 0.86x to 1.05x). Prints a table and one JSON line per setting,
 * then (unless `--epoch no`) the end-to-end row: one low-data epoch in mixup-lab and in the PyTorch reference
 * script (bench/lowdata-epoch.ts). The best rows and the epoch rows are appended to results/bench/train-speed.jsonl
 * with the machine and commit (`--record no` to leave it alone); docs/benchmarks.md is generated from it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tf, useBackend } from '../lib/backend';
import { buildModel } from '../lib/models';
import { trainStep } from '../lib/train/loop';
import { makeOptimizer, PAPER_CIFAR_SGD } from '../lib/train/optimizer';
import { parseCli } from '../scripts/cli';
import { appendRecords, machine } from '../scripts/record';
import { EpochRow, mixupLabEpoch, torchEpoch } from './lowdata-epoch';

const ROOT = path.resolve(__dirname, '..', '..');
const VENV_PY = path.join(ROOT, '.venv', 'bin', 'python');
const RECORDS = path.join(ROOT, 'results', 'bench', 'train-speed.jsonl');

interface Row {
  backend: string;
  width: number;
  batch: number;
  train_img_s: number;
  infer_img_s: number;
  peak_rss_mb: number;
  threads?: number;
}

const USAGE =
  'npm run bench -- [--backends tensorflow,pytorch,cpu] [--widths 8,16,64] [--batch N] [--steps N] [--repeat N] [--epoch yes|no] [--record yes|no]';

function parseArgs(argv: string[]): Record<string, string | undefined> {
  const names = ['backends', 'widths', 'batch', 'steps', 'one', 'epoch', 'repeat', 'record'];
  return parseCli(
    { args: argv, options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])) },
    USAGE,
  ).values as Record<string, string | undefined>;
}

async function one(backend: string, width: number, batch: number, steps: number): Promise<Row> {
  const report = useBackend(backend as 'tensorflow' | 'cpu');
  if (report.name !== backend) throw new Error(`asked for ${backend}, got ${report.name}`);
  const model = buildModel({ kind: 'preact-resnet18', width, numClasses: 10 }, 1);
  const opt = makeOptimizer(PAPER_CIFAR_SGD);
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat() as tf.Tensor2D;
  const warm = backend === 'cpu' ? 0 : 3;
  for (let i = 0; i < warm; i++) trainStep(model, opt, x, y, 1e-4);
  let t = Date.now();
  for (let i = 0; i < steps; i++) trainStep(model, opt, x, y, 1e-4);
  const train = (batch * steps) / ((Date.now() - t) / 1000);
  tf.tidy(() => model.apply(x, { training: false }).dataSync());
  t = Date.now();
  for (let i = 0; i < steps; i++) tf.tidy(() => model.apply(x, { training: false }).dataSync());
  const infer = (batch * steps) / ((Date.now() - t) / 1000);
  return {
    backend,
    width,
    batch,
    train_img_s: +train.toFixed(1),
    infer_img_s: +infer.toFixed(1),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function runChild(args: string[], cmd = process.execPath): Row | string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) return `failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line) as Row;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const batch = Number(a.batch ?? 128);
  const steps = Number(a.steps ?? 10);
  if (a.epoch !== undefined && a.epoch !== 'yes' && a.epoch !== 'no')
    throw new Error(`--epoch takes yes or no, got ${a.epoch}`);
  if (a.record !== undefined && a.record !== 'yes' && a.record !== 'no')
    throw new Error(`--record takes yes or no, got ${a.record}`);
  if (a.one === 'epoch') {
    console.log(JSON.stringify(await mixupLabEpoch()));
    return;
  }
  if (a.one) {
    const [backend, width] = a.one.split(':');
    // The pure-JS backend takes minutes per batch of 128: one step of 32 gives its order of magnitude.
    const cpu = backend === 'cpu';
    console.log(JSON.stringify(await one(backend, Number(width), cpu ? Math.min(batch, 32) : batch, cpu ? 1 : steps)));
    return;
  }
  const backends = (a.backends ?? 'tensorflow,pytorch,cpu').split(',');
  const widths = (a.widths ?? '8,16,64').split(',').map(Number);
  const hasTorch =
    fs.existsSync(VENV_PY) && spawnSync(VENV_PY, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  const repeat = Number(a.repeat ?? 3);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat takes a positive integer, got ${a.repeat}`);
  const rows: Row[] = [];
  const best = (r: Row) => {
    const same = rows.find((p) => p.backend === r.backend && p.width === r.width);
    if (!same) {
      rows.push(r);
      return;
    }
    same.train_img_s = Math.max(same.train_img_s, r.train_img_s);
    same.infer_img_s = Math.max(same.infer_img_s, r.infer_img_s);
    same.peak_rss_mb = Math.max(same.peak_rss_mb, r.peak_rss_mb);
  };
  for (const width of widths)
    for (let rep = 0; rep < repeat; rep++) {
      for (const backend of backends) {
        if (backend === 'cpu' && rep > 0) continue; // one step of the pure-JS backend is its order of magnitude
        if (backend === 'cpu' && width > 16) {
          if (rep === 0) console.error(`bench: skipping cpu at width ${width} (minutes per step)`);
          continue;
        }
        let r: Row | string;
        if (backend === 'pytorch') {
          if (!hasTorch) {
            if (rep === 0)
              console.error('bench: pytorch skipped: torch is not installed in .venv (npm run bench:torch-install)');
            continue;
          }
          r = runChild(
            [
              path.join(ROOT, 'bench', 'torch_speed.py'),
              '--width',
              String(width),
              '--batch',
              String(batch),
              '--steps',
              String(steps),
            ],
            VENV_PY,
          );
        } else {
          r = runChild([
            __filename,
            '--one',
            `${backend}:${width}`,
            '--batch',
            String(batch),
            '--steps',
            String(steps),
          ]);
        }
        if (typeof r === 'string') {
          console.error(`bench: ${backend} width ${width} ${r}`);
          continue;
        }
        console.log(JSON.stringify(r));
        best(r);
      }
    }
  const ratio = (x: number, ref: number | undefined) => (ref ? `${(x / ref).toFixed(2)}x` : '');
  console.log(`\nbest of ${repeat} per setting`);
  console.log(
    '\n| backend | width | batch | train img/s | infer img/s | peak RSS MB | train vs PyTorch | infer vs PyTorch | memory vs PyTorch |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const ref = r.backend === 'pytorch' ? undefined : rows.find((p) => p.backend === 'pytorch' && p.width === r.width);
    console.log(
      `| ${r.backend} | ${r.width} | ${r.batch} | ${r.train_img_s} | ${r.infer_img_s} | ${r.peak_rss_mb} | ` +
        `${ratio(r.train_img_s, ref?.train_img_s)} | ${ratio(r.infer_img_s, ref?.infer_img_s)} | ${ratio(r.peak_rss_mb, ref?.peak_rss_mb)} |`,
    );
  }
  const record = (records: object[]) => {
    if (a.record === 'no' || !records.length) return;
    const m = machine(ROOT);
    appendRecords(
      RECORDS,
      records.map((r) => ({ ...r, steps, repeat, ...m })),
    );
    console.log(`bench: ${records.length} records appended to ${path.relative(ROOT, RECORDS)}`);
  };
  if (a.epoch === 'no') {
    record(rows.map((r) => ({ kind: 'step', ...r })));
    return;
  }
  // End to end: one low-data epoch (2,500 images, width 16, mixup, augmentation, one scoring of 10,000 test images).
  const epochs: EpochRow[] = [];
  const ours = runChild([__filename, '--one', 'epoch']);
  if (typeof ours === 'string') console.error(`bench: low-data epoch in mixup-lab ${ours}`);
  else epochs.push(ours as unknown as EpochRow);
  const theirs = hasTorch
    ? await torchEpoch(VENV_PY)
    : 'skipped: torch is not installed in .venv (npm run bench:torch-install)';
  if (typeof theirs === 'string') console.error(`bench: low-data epoch in PyTorch ${theirs}`);
  else epochs.push(theirs);
  for (const e of epochs) console.log(JSON.stringify(e));
  const ref = epochs.find((e) => e.backend === 'pytorch');
  console.log(
    '\n| one low-data epoch + scoring 10,000 test images | seconds | test error % | peak RSS MB | speed vs PyTorch |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  record([...rows.map((r) => ({ kind: 'step', ...r })), ...epochs.map((e) => ({ kind: 'epoch', ...e }))]);
  for (const e of epochs) {
    console.log(
      `| ${e.backend === 'pytorch' ? 'PyTorch reference (tools/reference/train.py)' : 'mixup-lab (native TensorFlow)'} | ${e.seconds} | ${e.test_error} | ${e.peak_rss_mb} | ` +
        `${ref && e !== ref ? `${(ref.seconds / e.seconds).toFixed(2)}x` : ''} |`,
    );
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
