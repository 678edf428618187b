/** What every generated table shares: where results/ is, reading its files, picking runs, formatting. */
import fs from 'node:fs';
import path from 'node:path';
import { lastTestError } from '../../lib/train/history';
import type { RunResult } from '../../lib/runs/cache';
import { PublishedRun, publishedRuns } from '../../lib/runs/published';
import { meanStd } from '../../lib/stats';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const RESULTS = path.join(ROOT, 'results');

export function readText(file: string): string {
  const full = path.join(RESULTS, file);
  if (!fs.existsSync(full))
    throw new Error(`results/${file} is missing: restore it from git (it is evidence for a generated table)`);
  return fs.readFileSync(full, 'utf8');
}

export function readJson<T>(file: string): T {
  try {
    return JSON.parse(readText(file)) as T;
  } catch (e) {
    throw new Error(`results/${file} is not valid JSON (${(e as Error).message}): restore it from git`);
  }
}

export function jsonLines<T>(file: string): T[] {
  return readText(file)
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        throw new Error(`results/${file} line ${i + 1} is not JSON: restore the file from git`);
      }
    });
}

/** 1234.5 → "1,235"; digits after the point as asked. */
export const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** A run's test error % after its last epoch. */
export const lastPct = (r: RunResult) => 100 * lastTestError(r.history);

let cache: PublishedRun[] | null = null;
/** Every published run under results/ (read once per generation). */
export function allPublished(): PublishedRun[] {
  return (cache ??= publishedRuns(RESULTS));
}

/** Sorted distinct values. */
export const distinct = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

/** "33.51 ± 1.66 [32.0–36.3] (6 seeds, 11 runs)": values per seed; one seed shows its value and seed. */
export function spreadCell(bySeed: Map<number, number>, runs?: number): string {
  const vs = [...bySeed.values()];
  if (!vs.length) return 'not run';
  const extra = runs && runs > vs.length ? `, ${runs} runs` : '';
  if (vs.length === 1) return `${fmt(vs[0], 2)} (seed ${[...bySeed.keys()][0]}${extra})`;
  const s = meanStd(vs);
  return `${fmt(s.mean, 2)} ± ${fmt(s.std, 2)} [${fmt(Math.min(...vs), 1)}–${fmt(Math.max(...vs), 1)}] (${vs.length} seeds${extra})`;
}
