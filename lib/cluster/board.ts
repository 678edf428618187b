/**
 * One progress view for a pool of runs: runs done, running and queued, and the time left, on one bar (cli-progress).
 * The bar's unit is a run's cost in seconds (lib/experiments/cost), so a long run counts for more than a short one and
 * the time left is the remaining cost at the rate the runs have gone so far. Off a terminal (a log file, CI) it prints
 * a line every half minute instead of redrawing.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { EpochRecord, StepInfo, TrainCallbacks } from '../train/loop';

export interface BoardRun {
  label: string;
  /** Seconds it is expected to take (its recorded cost). */
  cost: number;
  epochs: number;
}

export interface Board {
  /** The callbacks that move run `index` on the board. */
  callbacks(index: number): TrainCallbacks;
  /** Run `index` has started (taken by a worker). */
  started(index: number): void;
  /** Stops the bar and prints the last line. */
  stop(): void;
  /** Runs done, running and queued now. */
  counts(): { done: number; running: number; queued: number };
  /** Seconds left, as the view shows them. */
  secondsLeft(): number;
}

/** "45 s", "12 min", "1 h 05 min". */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * `workers`: runs that train at once. Time left: before any progress, the remaining cost shared over the workers;
 * then the remaining cost at the pace the runs have kept so far (recorded costs are other machines' and other loads').
 */
export function poolBoard(
  runs: BoardRun[],
  o: { stream?: NodeJS.WritableStream; title?: string; intervalMs?: number; workers?: number; now?: () => number } = {},
): Board {
  const now = o.now ?? Date.now;
  const t0 = now();
  const total = runs.reduce((a, r) => a + r.cost, 0);
  const fraction = runs.map(() => 0);
  const state = runs.map((): 'queued' | 'running' | 'done' => 'queued');
  const stream = (o.stream ?? process.stdout) as NodeJS.WriteStream;
  const bar = new SingleBar(
    {
      format: `${o.title ?? 'runs'} {bar} {percentage}% | {done}/{runs} done, {running} running, {queued} queued | about {left} left`,
      stream,
      noTTYOutput: true,
      notTTYSchedule: o.intervalMs ?? 30_000,
      hideCursor: false,
    },
    Presets.shades_classic,
  );
  const counts = () => ({
    done: state.filter((s) => s === 'done').length,
    running: state.filter((s) => s === 'running').length,
    queued: state.filter((s) => s === 'queued').length,
  });
  const value = () => runs.reduce((a, r, i) => a + r.cost * fraction[i], 0);
  const secondsLeft = () => {
    const done = value(),
      elapsed = (now() - t0) / 1000;
    const pace = done > 0 && elapsed > 0 ? elapsed / done : 1 / (o.workers ?? 1);
    return (total - done) * pace;
  };
  const left = () => clock(secondsLeft());
  bar.start(total, 0, { runs: runs.length, ...counts(), left: left() });
  const update = () => bar.update(value(), { ...counts(), left: left() });
  const move = (i: number, f: number) => {
    if (state[i] === 'queued') state[i] = 'running';
    fraction[i] = Math.max(fraction[i], Math.min(1, f));
    if (fraction[i] >= 1) state[i] = 'done';
    update();
  };
  return {
    callbacks: (i) => ({
      onStep: (s: StepInfo) => move(i, (s.epoch + s.step / s.steps) / s.epochs),
      onEpoch: (r: EpochRecord) => move(i, (r.epoch + 1) / runs[i].epochs),
    }),
    started: (i) => {
      if (state[i] === 'queued') state[i] = 'running';
      update();
    },
    stop: () => {
      update();
      bar.stop();
    },
    counts,
    secondsLeft,
  };
}
