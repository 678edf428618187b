/**
 * Calibration (notebooks 2 and 3, beyond the paper): the rows and findings the notebooks compute, at each profile with
 * published runs, and what the measures cost a report (results/calibration/cost.json, bench/calibration-cost).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../lib/experiments/profiles';
import { calibrationByGroup, calibrationComparison } from '../../lib/findings/calibration';
import { cifarAt, corruptedAt } from './findings';
import { readJson, RESULTS, table } from './common';

const columns = (rows: Record<string, string | number | null>[]) => Object.keys(rows[0] ?? {});
const asTable = (rows: Record<string, string | number | null>[]) =>
  table(
    columns(rows),
    rows.map((r) => columns(rows).map((c) => String(r[c] ?? '—'))),
  );

/** Notebook 2's calibration table and finding at `profile`, then notebook 3's at each noise level. */
export function calibrationSection(profile: Profile): string {
  const c = cifarAt(profile);
  const clean = calibrationComparison(c.runs, c.reference, c.P.alpha);
  const noisy = corruptedAt(profile);
  const byGroup = calibrationByGroup(noisy.runs, noisy.groups, noisy.P.alpha).groups.filter((g) => g.noise > 0);
  return [
    asTable(clean.rows),
    'Confidence on inputs of no class (uniform noise; test images with their pixels shuffled):',
    asTable(clean.oodRows),
    clean.finding.sentence,
    ...byGroup.flatMap((g) => [
      `Notebook 3, ${g.group}:`,
      asTable(g.comparison.rows),
      asTable(g.comparison.oodRows),
      g.comparison.finding.sentence,
    ]),
  ].join('\n\n');
}

interface Cost {
  profile: string;
  binningSeconds: number;
  oodSeconds: number;
  oodImages: number;
  reportRuns: number | null;
  addedWallSeconds: number | null;
  reportWallSeconds: number | null;
  shareOfReport: number | null;
  date: string;
  cpu: string;
}

/** One sentence from results/calibration/cost.json, or that it was not measured. */
export function calibrationCost(): string {
  if (!fs.existsSync(path.join(RESULTS, 'calibration', 'cost.json')))
    return 'Not measured yet (`node dist/bench/calibration-cost.js`).';
  const c = readJson<Cost>('calibration/cost.json');
  const share =
    c.shareOfReport === null
      ? ''
      : `: ${c.addedWallSeconds} s over the report's ${c.reportRuns} CIFAR runs, ${(100 * c.shareOfReport).toFixed(2)} % of its ${c.reportWallSeconds} s`;
  return (
    `Cost (${c.profile}, \`node dist/bench/calibration-cost.js\`, ${c.date.slice(0, 10)}, ${c.cpu}, one thread): ` +
    `binning the last epoch's own predictions ${(1000 * c.binningSeconds).toFixed(1)} ms a run; scoring the ` +
    `${c.oodImages} out-of-distribution images ${c.oodSeconds} s a run${share}.`
  );
}
