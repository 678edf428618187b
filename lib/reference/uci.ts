/**
 * The PyTorch reference of notebook 4 (tools/reference/uci.py: the same MLP and protocol on the rows
 * tools/reference/export-uci.ts wrote from our own loader), read from results/reference/uci-*.jsonl: one line per
 * finished run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UCI_SCALINGS, UciScaling } from '../data/uci';
import type { UciParams, UciRun } from '../experiments/uci';
import { readJsonLines, REFERENCE_DIR } from './runs';

/** The reference's runs at P's protocol (epochs, batch, test and validation fractions), as our runs are read. */
export function uciReferenceRuns(P: UciParams, dir = REFERENCE_DIR): UciRun[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^uci-.*\.jsonl$/.test(f))
        .sort()
    : [];
  const runs = new Map<string, UciRun>();
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
        set: String(l.set),
        scaling: scaling as UciScaling,
        scored: l.scored,
        alpha: Number(l.alpha),
        seed: Number(l.seed),
        error: Number(l.error),
      });
    }
  return [...runs.values()];
}
