/**
 * The quick profile's CIFAR protocol (1,000 images, width 8, 240 epochs): ERM and mixup beside the PyTorch reference
 * at the same protocol, the memorisation runs with their dropout rows (notebook 3), and the ablation (notebook 8).
 */
import type { PerSeed } from '../../lib/findings/common';
import { lastTestError } from '../../lib/train/history';
import { fmt, spreadCell, table } from './common';
import { ablationAt, cifarAt, corruptedAt, fgsmAt, runCount } from './findings';
import { method, methodAlpha, methodLabel, PAPER_METHODS } from '../../lib/methods';

const [ERM, MIXUP] = PAPER_METHODS;

/** Clean, noisy and FGSM rows of the quick protocol, ours beside the reference's: notebooks 2, 3 and 5's findings. */
export function quickTable(): string {
  const c = cifarAt('quick'),
    n = corruptedAt('quick'),
    f = fgsmAt('quick');
  const noisy = n.own.finding;
  const mean = (m: PerSeed) => [...m.values()].reduce((a, b) => a + b, 0) / m.size;
  const seedsNote = (m: PerSeed) => (m.size > 1 ? ` (mean of ${m.size} seeds)` : '');
  const noiseCell = (method: (typeof PAPER_METHODS)[number], side: 'ours' | 'reference') => {
    const m = noisy.methods[method];
    if (!m.last[side].size) return 'not run';
    return `${fmt(mean(m.best[side]), 2)} / ${fmt(mean(m.last[side]), 2)}, ${fmt(mean(m.unlearnt[side]), 1)} %${seedsNote(m.last[side])}`;
  };
  /** Error % at each ε, mean over seeds, joined: "76.86 / 87.72 / 95.07 / 96.1". */
  const byEps = (pick: (e: (typeof f.finding.epsilons)[number]) => PerSeed) => {
    const ms = f.finding.epsilons.map(pick);
    if (ms.some((m) => !m.size)) return 'not run';
    return `${ms.map((m) => fmt(mean(m), 2)).join(' / ')}${seedsNote(ms[0])}`;
  };
  const eps = f.file.eps.join(' / ');
  return table(
    ['quick protocol', 'ERM: ours', 'ERM: reference', `mixup α = ${c.P.alpha}: ours`, 'mixup: reference'],
    [
      [
        'clean test error %, last epoch',
        spreadCell(c.finding.erm.ours, runCount(c.runs, ERM)),
        spreadCell(c.finding.erm.reference),
        spreadCell(c.finding.mixup.ours, runCount(c.runs, MIXUP)),
        spreadCell(c.finding.mixup.reference),
      ],
      [
        `${noisy.noise * 100} % noisy labels (mixup α = ${n.P.alpha}): test error % best / last, redrawn labels left unlearnt`,
        noiseCell(ERM, 'ours'),
        noiseCell(ERM, 'reference'),
        noiseCell(MIXUP, 'ours'),
        noiseCell(MIXUP, 'reference'),
      ],
      [
        `white-box FGSM error %, ε = ${eps} (/255)`,
        byEps((e) => e.white.erm.ours),
        byEps((e) => e.white.erm.reference),
        byEps((e) => e.white.mixup.ours),
        byEps((e) => e.white.mixup.reference),
      ],
      [
        `black-box FGSM error %, ε = ${eps} (examples from a second ERM)`,
        byEps((e) => e.black.erm.ours),
        byEps((e) => e.black.erm.reference),
        byEps((e) => e.black.mixup.ours),
        byEps((e) => e.black.mixup.reference),
      ],
    ],
  );
}

/**
 * Notebook 2's methods at the quick protocol (its `methods` there, lib/methods), ours beside the reference's runs of the
 * very method, and the finding's sentences on each method against mixup.
 */
export function quickMethodsTable(): string {
  const c = cifarAt('quick');
  const keys = [
    'method',
    'seeds',
    'ours: test error %, last epoch',
    'PyTorch reference, same protocol',
    'our mean against the reference seeds',
    "Welch's p, ours vs reference",
  ];
  const rows = c.rows.map((r) => keys.map((k) => String(r[k] ?? '—')));
  const against = c.finding.againstMixup.map((a) => a.sentence).join(' ');
  return `${table(keys, rows)}\n\n${against || 'No method beyond ERM and mixup at this profile.'}`;
}

/** Every published run of the quick protocol's clean runs, by folder and seed. */
export function quickRunsTable(): string {
  const c = cifarAt('quick');
  const rows = [...c.runs]
    .sort((x, y) => x.source.localeCompare(y.source) || x.seed - y.seed || x.method.localeCompare(y.method))
    .map((r) => [
      `\`${r.source}\``,
      String(r.seed),
      methodLabel(method(r.method), methodAlpha(method(r.method), c.P.alpha)),
      fmt(100 * lastTestError(r.run.history), 2),
      fmt(r.run.seconds),
      String(r.run.threads ?? '?'),
    ]);
  return table(
    ['run (folder under results/)', 'seed', 'method', 'test error %, last epoch', 'seconds', 'threads'],
    rows,
  );
}

/** A table of a finding's rows, as the notebook shows it. */
function rowsTable(rows: Record<string, string | number | null>[]): string {
  const head = Object.keys(rows[0] ?? {});
  const cell = (v: string | number | null) => (v === null ? '—' : typeof v === 'number' ? String(v) : v);
  return table(
    head,
    rows.map((r) => head.map((k) => cell(r[k]))),
  );
}

/**
 * Notebook 3 at the quick profile, from every published run: its table and findings, computed by the same function
 * the notebook calls (lib/findings/corrupted).
 */
export function dropoutTable(): string {
  const n = corruptedAt('quick');
  return [rowsTable(n.rows), ...n.findings.map((f) => `**Finding.** ${f.sentence}`)].join('\n\n');
}

/**
 * Notebook 8 on the quick protocol at both weight decays (its lowdata profile: the quick profile asks the lower one
 * only), from every published run, by the function the notebook calls (lib/findings/ablation).
 */
export function ablationTable(): string {
  const a = ablationAt('lowdata');
  return [rowsTable(a.rows), ...a.findings.map((f) => `**Finding.** ${f.sentence}`)].join('\n\n');
}
