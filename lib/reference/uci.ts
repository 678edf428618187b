/**
 * The PyTorch reference of notebook 4 (tools/reference/uci.py: the same MLP and protocol on the rows
 * tools/reference/export-uci.ts wrote from our own loader), read from results/reference/uci-*.jsonl: one line per
 * finished run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UCI_SCALINGS, UciScaling } from '../data/uci';
import { readJsonLines, REFERENCE_DIR } from './runs';

/** The protocol a reference line must match to stand beside our runs (lib/experiments/uci's UciProtocol has it). */
export interface UciProtocol {
  epochs: number;
  batchSize: number;
  testFraction: number;
  validationFraction: number;
  sets: string[];
  scalings: string[];
  alpha: number;
  alphas: number[];
}

/** One reference run's last-epoch error % on the rows it was scored on: the shape of lib/experiments/uci's UciRun. */
export interface UciReferenceRun {
  set: string;
  scaling: UciScaling;
  scored: 'test' | 'validation';
  alpha: number;
  seed: number;
  error: number;
}

/** The reference's runs at P's protocol (epochs, batch, test and validation fractions), as our runs are read. */
export function uciReferenceRuns(P: UciProtocol, dir = REFERENCE_DIR): UciReferenceRun[] {
  return referenceLines(P, dir).map((l) => l.run);
}

/** How many reference runs there are at P's protocol and their seconds in all (each on one thread). */
export function uciSecondsOfReference(P: UciProtocol, dir = REFERENCE_DIR): { runs: number; seconds: number } {
  const lines = referenceLines(P, dir);
  return { runs: lines.length, seconds: lines.reduce((s, l) => s + l.seconds, 0) };
}

function referenceLines(P: UciProtocol, dir: string): { run: UciReferenceRun; seconds: number }[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^uci-.*\.jsonl$/.test(f))
        .sort()
    : [];
  const runs = new Map<string, { run: UciReferenceRun; seconds: number }>();
  for (const f of files)
    for (const l of readJsonLines(path.join(dir, f), 'tools/reference/uci.py')) {
      const scaling = String(l.scaling);
      if (!(UCI_SCALINGS as readonly string[]).includes(scaling) || (l.scored !== 'test' && l.scored !== 'validation'))
        throw new Error(
          `${f}: run ${String(l.name)} has scaling ${scaling} and rows ${String(l.scored)}: uci.py writes ` +
            `${UCI_SCALINGS.join(' or ')} and test or validation (rerun it with tools/reference/uci.py)`,
        );
      if (
        l.epochs !== P.epochs ||
        l.batch !== P.batchSize ||
        l.testFraction !== P.testFraction ||
        l.validationFraction !== P.validationFraction ||
        !P.sets.includes(String(l.set)) ||
        !P.scalings.includes(scaling) ||
        // α outside P's grid (and fixed α, and ERM on the test rows) is another protocol's run.
        !(l.scored === 'validation' ? P.alphas : [0, P.alpha, ...P.alphas]).includes(Number(l.alpha))
      )
        continue;
      // A run written twice (a resumed `uci.py all`) is one run: the same seed gives the same line.
      runs.set(String(l.name), {
        run: {
          set: String(l.set),
          scaling: scaling as UciScaling,
          scored: l.scored,
          alpha: Number(l.alpha),
          seed: Number(l.seed),
          error: Number(l.error),
        },
        seconds: Number(l.s),
      });
    }
  return [...runs.values()];
}
