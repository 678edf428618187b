/**
 * Where and when a measurement was taken, stored beside it in results/ (timings of a report, benchmark records), so
 * that generated tables can say which machine and commit a figure comes from without anyone typing it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasAvx512 } from '../lib/backend/cpu';

export interface Machine {
  /** ISO time the measurement finished. */
  date: string;
  /** Short commit hash, with "+changes" when the tree had uncommitted changes; null outside a git checkout. */
  commit: string | null;
  cpu: string;
  cores: number;
  avx512: boolean;
}

export function machine(root: string): Machine {
  const git = (...args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout?.trim();
  return {
    date: new Date().toISOString(),
    commit: head.status === 0 ? `${head.stdout.trim()}${dirty ? '+changes' : ''}` : null,
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    cores: os.availableParallelism(),
    avx512: hasAvx512(),
  };
}

/** A whole report's timings (results/<profile>/timings.json), written by `npm run report` from an empty run cache. */
export interface ReportTimings extends Machine {
  profile: string;
  seeds: string | null;
  lanes: number;
  wallSeconds: number;
  /**
   * The runs the report trained as one pool before any notebook started (absent in timings recorded before the pool
   * existed, when each notebook trained its own; CIFAR runs only before 2026-12-07, and no `perKind` or `busy` then):
   * seconds of its jobs summed per data set or result kind, and the share of its worker-seconds they filled.
   */
  pool?: { runs: number; workers: number; seconds: number; perKind?: Record<string, number>; busy?: number };
  /** The share of the report's core-seconds (cores × wall time) spent in the pool's jobs. */
  busy?: number;
  /** Each notebook's own seconds (after the pool: loading its CIFAR runs, and all its other work). */
  notebooks: { notebook: string; seconds: number }[];
}

/** Appends JSON records, one per line, to a file under results/ (created with its folder). */
export function appendRecords(file: string, records: object[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
