/**
 * docs/cluster.md's figures: the queue's measured overhead (results/bench/executor.jsonl) and what N machines would
 * give for each report, projected from the measured seconds of its published runs and the number of runs it needs.
 */
import { CIFAR_PROFILES } from '../../lib/experiments/cifar';
import { reportRuns } from '../../lib/lab';
import { isResultJob } from '../../lib/experiments/result-jobs';
import type { RunSpec } from '../../lib/runs/cache';
import { median } from '../../lib/stats';
import { allPublished, fmt, jsonLines, readJson, table } from './common';
import { duration } from './timings';

interface ExecutorRecord {
  runs: number;
  /** The queue's Redis behind TLS and a password (absent in records made before it could be). */
  tls?: boolean;
  local_s: number;
  queue_s: number;
  queue_vs_local: number;
  pickup_ms: number;
  first_progress_ms: number;
  done_seen_ms: number;
  load_ms: number;
  date: string;
  commit: string | null;
  cores: number;
}

/** Every recorded `npm run bench:executor`. */
export function executorTable(): string {
  const rows = jsonLines<ExecutorRecord>('bench/executor.jsonl');
  return table(
    [
      'date, commit',
      'Redis',
      'runs',
      'local pool s',
      'queue s',
      'queue / local',
      'pickup ms',
      'taken → first progress ms',
      'done → seen ms',
      'load ms',
    ],
    rows.map((r) => [
      `${r.date.slice(0, 16).replace('T', ' ')}, ${r.commit ?? '?'}`,
      r.tls ? 'TLS + password' : 'plain, loopback',
      String(r.runs),
      fmt(r.local_s, 1),
      fmt(r.queue_s, 1),
      `${fmt(r.queue_vs_local, 2)}x`,
      fmt(r.pickup_ms),
      fmt(r.first_progress_ms),
      fmt(r.done_seen_ms),
      fmt(r.load_ms),
    ]),
  );
}

interface Protocol {
  trainLimit: number;
  width: number;
  epochs: number;
}

/** Median seconds of the published runs of one CIFAR protocol trained at one thread, and how many there are. */
function protocolSeconds(p: Protocol): { seconds: number; n: number } | null {
  const xs = allPublished()
    .filter(
      (r) =>
        r.run.threads === 1 &&
        r.run.spec.data.trainLimit === p.trainLimit &&
        r.run.spec.train.epochs === p.epochs &&
        (r.run.spec.model as { width?: number }).width === p.width,
    )
    .map((r) => r.run.seconds);
  return xs.length ? { seconds: median(xs), n: xs.length } : null;
}

const MACHINES = [1, 2, 4, 8, 16];
/** Runs each 2-core machine trains at once (one TensorFlow thread each), as measured. */
const PER_MACHINE = 2;

/** Wall time of runs of these durations on `slots` trainers, longest first onto the least loaded (as a queue does). */
function makespan(durations: number[], slots: number): number {
  const load = new Array<number>(slots).fill(0);
  for (const d of [...durations].sort((a, b) => b - a)) {
    const i = load.indexOf(Math.min(...load));
    load[i] += d;
  }
  return Math.max(...load);
}

/** CIFAR training wall time of each report on N machines, from measured per-run seconds of each run's protocol. */
export function projectionTable(): string {
  const paper = readJson<{ runs: { seconds: number }[]; epochs: number; epochsOfProfile: number }>(
    'paper/one-epoch.json',
  );
  const paperRun = (Math.max(...paper.runs.map((r) => r.seconds)) / paper.epochs) * paper.epochsOfProfile;
  const reports = [
    { name: 'quick', env: { MIXUP_PROFILE: 'quick' } },
    { name: 'lowdata, seeds 1–3', env: { MIXUP_PROFILE: 'lowdata', MIXUP_SEEDS: '1,2,3' } },
    { name: 'paper', env: { MIXUP_PROFILE: 'paper' } },
  ];
  return table(
    [
      'report',
      'CIFAR runs',
      'seconds a run (median of published runs of its protocol)',
      ...MACHINES.map((n) => `${n} machine${n > 1 ? 's' : ''}`),
    ],
    reports.map((r) => {
      const runs = reportRuns(r.env)
        .map((w) => w.job)
        .filter((j): j is RunSpec => !isResultJob(j) && j.data.set === 'cifar10');
      const per = new Map<string, { seconds: number; n: number; count: number }>();
      const durations = runs.map((w) => {
        const p = {
          trainLimit: Number(w.data.trainLimit),
          width: (w.model as { width: number }).width,
          epochs: w.train.epochs,
        };
        const key = `${fmt(p.trainLimit)} images, width ${p.width}, ${p.epochs} epochs`;
        const measured =
          p.trainLimit === CIFAR_PROFILES.paper.trainLimit
            ? { seconds: paperRun, n: paper.runs.length }
            : protocolSeconds(p);
        if (!measured) throw new Error(`no published run of the protocol ${key} to project from`);
        per.set(key, { ...measured, count: (per.get(key)?.count ?? 0) + 1 });
        return measured.seconds;
      });
      const seconds = [...per]
        .map(
          ([k, v]) =>
            `${v.count} × ${fmt(v.seconds)} (${k}; ${v.n} runs${k.startsWith('50,000') ? ', one epoch measured × 200' : ''})`,
        )
        .join('; ');
      return [
        r.name,
        String(runs.length),
        seconds,
        ...MACHINES.map((n) => duration(makespan(durations, PER_MACHINE * n))),
      ];
    }),
  );
}
