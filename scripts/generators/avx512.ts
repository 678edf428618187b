/** The AVX-512 work's before-and-after measurements (results/avx512/: bench, scoring profile, one epoch, notebook 2's runs). */
import fs from 'node:fs';
import path from 'node:path';
import { CIFAR_PROFILES, cifarSpec } from '../../lib/experiments/cifar';
import { lowdataReferenceRuns, referenceGapSpread, referenceSpread } from '../../lib/reference/runs';
import { RunResult, runKey } from '../../lib/runs/cache';
import { publishedAcrossSeeds } from '../../lib/runs/published';
import { againstSpread, formatSpread } from '../../lib/stats';
import { fmt, jsonLines, lastPct as lastTestError, RESULTS, table } from './common';
import { paperMethodAt } from '../../lib/methods';

const readRun = (file: string): RunResult => JSON.parse(fs.readFileSync(path.join(RESULTS, file), 'utf8')) as RunResult;

interface BenchRow {
  backend: string;
  width: number;
  train_img_s: number;
  infer_img_s: number;
  peak_rss_mb: number;
}

/** `npm run bench` before and after the AVX-512 work (results/avx512/bench-*.jsonl), best of its repeats. */
export function avx512Bench(): string {
  const sets = {
    before: jsonLines<BenchRow>('avx512/bench-before.jsonl'),
    after: jsonLines<BenchRow>('avx512/bench-after.jsonl'),
  };
  const best = (rows: BenchRow[], backend: string, width: number, key: 'train_img_s' | 'infer_img_s') => {
    const hit = rows.filter((r) => r.backend === backend && r.width === width);
    if (!hit.length) throw new Error(`results/avx512 has no ${backend} row at width ${width}`);
    return Math.max(...hit.map((r) => r[key]));
  };
  const rows: string[][] = [];
  for (const width of [16, 64]) {
    for (const key of ['train_img_s', 'infer_img_s'] as const) {
      const cells = (['before', 'after'] as const).map((s) => {
        const ours = best(sets[s], 'tensorflow', width, key),
          torch = best(sets[s], 'pytorch', width, key);
        return `${fmt(ours)} / ${fmt(torch)} (${fmt(ours / torch, 2)}x)`;
      });
      rows.push([String(width), key === 'train_img_s' ? 'training' : 'inference', ...cells]);
    }
  }
  return table(['width', 'img/s', 'before: ours / PyTorch', 'after: ours / PyTorch'], rows);
}

interface EpochRow {
  variant: 'before' | 'after' | 'pytorch';
  seconds: number;
  test_error: number;
  peak_rss_mb: number;
}

/** One low-data epoch with its scoring of 10,000 test images (results/avx512/epoch.jsonl), each run listed. */
export function avx512Epoch(): string {
  const rows = jsonLines<EpochRow>('avx512/epoch.jsonl');
  const label = {
    before: 'mixup-lab before',
    after: 'mixup-lab after',
    pytorch: 'PyTorch reference (`torch_protocol.py`)',
  };
  return table(
    ['one low-data epoch + scoring', 'seconds, each run', 'test error % after the epoch', 'peak RSS MB'],
    (['before', 'after', 'pytorch'] as const).map((v) => {
      const r = rows.filter((x) => x.variant === v);
      if (!r.length) throw new Error(`results/avx512/epoch.jsonl has no '${v}' row`);
      return [
        label[v],
        r.map((x) => fmt(x.seconds, 1)).join(', '),
        [...new Set(r.map((x) => fmt(x.test_error, 2)))].join(', '),
        fmt(Math.max(...r.map((x) => x.peak_rss_mb))),
      ];
    }),
  );
}

/** Notebook 2's quick runs (ERM, mixup; seed 1) as published, and again on the AVX-512 machine before and after the fix. */
export function avx512Quick(): string {
  const keys = { erm: 'eab8d7485ae6af1c', mixup: 'd18a0470c50cf614' };
  const sources: [string, string][] = [
    [
      'published (`results/quick/`): main before the fix, an earlier machine (no AVX-512: its width-4 smoke runs did not crash)',
      'quick',
    ],
    [
      'AVX-512 machine, main before the fix: crashes; capped at AVX2 (`ONEDNN_MAX_CPU_ISA=AVX2`)',
      'avx512/quick02-avx2-main',
    ],
    ['AVX-512 machine, after the fix, AVX-512 kernels', 'avx512/quick02-avx512-fixed'],
  ];
  return table(
    ['notebook 2, quick profile, seed 1', 'ERM test error %', 'mixup test error %', 'gain', 'seconds per run'],
    sources.map(([label, dir]) => {
      const erm = readRun(`${dir}/${keys.erm}.json`),
        mix = readRun(`${dir}/${keys.mixup}.json`);
      return [
        label,
        fmt(lastTestError(erm), 2),
        fmt(lastTestError(mix), 2),
        fmt(lastTestError(erm) - lastTestError(mix), 2),
        `${fmt(erm.seconds)}, ${fmt(mix.seconds)}`,
      ];
    }),
  );
}

/** Where one scoring batch spends its kernel time, before and after (results/avx512/profile-*.txt, bench/profile-infer). */
export function avx512Profile(): string {
  const parse = (file: string) => {
    const lines = fs.readFileSync(path.join(RESULTS, file), 'utf8').split('\n');
    const ops = new Map<string, { calls: number; ms: number }>();
    for (const l of lines.slice(1)) {
      const m = l.match(/^(.+?)\s+×\s*(\d+)\s+([\d.]+) ms/);
      if (m) ops.set(m[1].trim(), { calls: Number(m[2]), ms: Number(m[3]) });
    }
    const total = Number(lines[0].match(/: ([\d.]+) ms in kernels/)?.[1]);
    if (!ops.size || !(total > 0)) throw new Error(`results/${file} is not the output of bench/profile-infer`);
    return { ops, total };
  };
  const before = parse('avx512/profile-before.txt'),
    after = parse('avx512/profile-after.txt');
  const cell = (p: typeof before, op: string) => {
    const e = p.ops.get(op);
    return e ? `${fmt(e.ms)} ms (${fmt((100 * e.ms) / p.total)} %), ×${e.calls}` : '—';
  };
  const names = [...new Set([...before.ops.keys(), ...after.ops.keys()])].filter(
    (n) =>
      Math.max(before.ops.get(n)?.ms ?? 0, after.ops.get(n)?.ms ?? 0) >= 0.02 * Math.min(before.total, after.total),
  );
  return table(
    ['kernel (one scoring batch of 500, width 16)', 'before', 'after'],
    [
      ...names.map((n) => [n, cell(before, n), cell(after, n)]),
      ['all kernels', `${fmt(before.total)} ms`, `${fmt(after.total)} ms`],
    ],
  );
}

/**
 * Notebook 2's low-data runs after the fix (results/avx512/lowdata02-avx512-fixed, each seed there), beside our
 * published runs of the same configuration and seed (trained before it, with other float rounding) and the PyTorch
 * reference's seeds.
 */
export function avx512Lowdata(): string {
  const p = CIFAR_PROFILES.lowdata;
  const ref = lowdataReferenceRuns();
  const dir = 'avx512/lowdata02-avx512-fixed';
  const fixed = fs
    .readdirSync(path.join(RESULTS, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => readRun(`${dir}/${f}`));
  const seeds = [...new Set(fixed.map((r) => r.spec.train.seed))].sort((a, b) => a - b);
  const find = (alpha: number, seed: number) => {
    const key = runKey(cifarSpec(p, alpha, seed));
    const hit = fixed.find((r) => runKey(r.spec) === key);
    if (!hit)
      throw new Error(
        `results/avx512/lowdata02-avx512-fixed has seed ${seed}'s ${paperMethodAt(alpha).name} run missing (${key}.json)`,
      );
    return hit;
  };
  const spreads = {
    erm: referenceSpread(ref, 0, 0, (r) => r.last),
    mixup: referenceSpread(ref, p.alpha, 0, (r) => r.last),
    gain: referenceGapSpread(ref, p.alpha, 0, 0, (r) => r.last),
  };
  const vsRef = (v: number, spread: typeof spreads.erm) => `${fmt(v, 2)} (reference: ${againstSpread(v, spread)})`;
  const earlier = (run: RunResult) =>
    publishedAcrossSeeds(run.spec)
      .filter((r) => r.spec.train.seed === run.spec.train.seed && r.finishedAt !== run.finishedAt)
      .map(lastTestError);
  const list = (vs: number[]) => (vs.length ? vs.map((v) => fmt(v, 2)).join(', ') : 'none');
  const rows = seeds.flatMap((seed) => {
    const erm = find(0, seed),
      mix = find(p.alpha, seed);
    return [
      [
        `after the fix, AVX-512 machine, seed ${seed}`,
        vsRef(lastTestError(erm), spreads.erm),
        vsRef(lastTestError(mix), spreads.mixup),
        vsRef(lastTestError(erm) - lastTestError(mix), spreads.gain),
      ],
      [
        `our published seed-${seed} runs, before the fix (other float rounding)`,
        list(earlier(erm)),
        list(earlier(mix)),
        '—',
      ],
    ];
  });
  return table(
    ['notebook 2, low-data profile', 'ERM last test error %', 'mixup last test error %', 'gain (ERM − mixup)'],
    [
      ...rows,
      [
        'PyTorch reference (`results/reference/`)',
        formatSpread(spreads.erm) ?? '—',
        formatSpread(spreads.mixup) ?? '—',
        formatSpread(spreads.gain) ?? '—',
      ],
    ],
  );
}
