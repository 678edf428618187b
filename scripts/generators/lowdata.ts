/**
 * The low-data profile (2,500 images, width 16, 240 epochs) beside the PyTorch reference at the same protocol: the
 * headline of the project. Ours over seeds (reruns of a seed averaged into one unit), the reference over its seeds,
 * and Welch's t-test between them, seeds as units.
 */
import { toSvg } from '../../lib/charts/render';
import { seedStrip } from '../../lib/charts/specs';
import type { Row } from '../../lib/charts/specs';
import type { OurRun } from '../../lib/findings/common';
import { meanStd, welchTest } from '../../lib/stats';
import { bestTestError, lastExtra } from '../../lib/train/history';
import { distinct, fmt, lastPct, spreadCell, table } from './common';
import { cifarAt, corruptedAt, fgsmAt, runCount } from './findings';
import { paperLabel, paperMethodAt, PAPER_METHODS } from '../../lib/methods';

const [ERM, MIXUP] = PAPER_METHODS;

/** One measure, ours and the reference's, each as value per seed. */
interface Measure {
  name: string;
  ours: Map<number, number>;
  runs: number;
  ref: Map<number, number>;
}

/** The measures of the headline, in its order: notebooks 2, 3 and 5's findings at the lowdata profile. */
export function lowdataMeasures(): Measure[] {
  const c = cifarAt('lowdata'),
    n = corruptedAt('lowdata'),
    f = fgsmAt('lowdata');
  const { erm, mixup, gain } = c.finding;
  const noisy = n.own.finding;
  const noisyRuns = n.runs.filter((r) => r.group === noisy.group);
  const eps4 = f.finding.epsilons.find((e) => e.eps === 4)!;
  return [
    { name: 'clean test error %, ERM', ours: erm.ours, runs: runCount(c.runs, ERM), ref: erm.reference },
    {
      name: `clean test error %, mixup α = ${c.P.alpha}`,
      ours: mixup.ours,
      runs: runCount(c.runs, MIXUP),
      ref: mixup.reference,
    },
    {
      name: "mixup's gain (ERM − mixup, points)",
      ours: gain.ours,
      runs: Math.min(runCount(c.runs, ERM), runCount(c.runs, MIXUP)),
      ref: gain.reference,
    },
    {
      name: `${noisy.noise * 100} % noisy labels, ERM: test error % at the end`,
      ours: noisy.methods.ERM.last.ours,
      runs: runCount(noisyRuns, ERM),
      ref: noisy.methods.ERM.last.reference,
    },
    {
      name: `${noisy.noise * 100} % noisy labels, mixup α = ${n.P.alpha}`,
      ours: noisy.methods.mixup.last.ours,
      runs: runCount(noisyRuns, MIXUP),
      ref: noisy.methods.mixup.last.reference,
    },
    {
      name: `white-box FGSM error % at ε = ${eps4.eps}/255, ERM`,
      ours: eps4.white.erm.ours,
      runs: eps4.white.erm.ours.size,
      ref: eps4.white.erm.reference,
    },
    {
      name: `white-box FGSM error % at ε = ${eps4.eps}/255, mixup`,
      ours: eps4.white.mixup.ours,
      runs: eps4.white.mixup.ours.size,
      ref: eps4.white.mixup.reference,
    },
  ];
}

const pCell = (m: Measure) => {
  const t = welchTest([...m.ours.values()], [...m.ref.values()]);
  return t ? `p = ${fmt(t.p, 2)}` : '—';
};

/** The headline table: ours over seeds, the reference over its seeds, Welch's p. */
export function headlineTable(): string {
  return table(
    [
      'low-data protocol (last epoch)',
      'mixup-lab, mean ± sd over seeds',
      'PyTorch reference, over its seeds',
      "Welch's t-test",
    ],
    lowdataMeasures().map((m) => [m.name, spreadCell(m.ours, m.runs), spreadCell(m.ref), pCell(m)]),
  );
}

/** The headline in two sentences, every figure and every verdict computed. */
export function headlineSentence(): string {
  const ms = lowdataMeasures();
  const [erm, mixup, gain, noisyErm, noisyMix, fgsmErm, fgsmMix] = ms;
  const mean = (m: Map<number, number>) => meanStd([...m.values()]).mean;
  // An effect shows when mixup is lower on average, in ours and in the reference alike.
  const effects = [
    { name: 'lower clean error', ours: mean(mixup.ours) < mean(erm.ours), ref: mean(mixup.ref) < mean(erm.ref) },
    {
      name: 'lower error under 50 % noisy labels',
      ours: mean(noisyMix.ours) < mean(noisyErm.ours),
      ref: mean(noisyMix.ref) < mean(noisyErm.ref),
    },
    {
      name: 'lower white-box FGSM error',
      ours: mean(fgsmMix.ours) < mean(fgsmErm.ours),
      ref: mean(fgsmMix.ref) < mean(fgsmErm.ref),
    },
  ];
  const shown = effects.filter((e) => e.ours && e.ref).map((e) => e.name);
  const missing = effects
    .filter((e) => !(e.ours && e.ref))
    .map((e) => `${e.name} (${e.ours ? 'not in the reference' : 'not in ours'})`);
  const effectsLine = missing.length
    ? `Of the paper's three CIFAR effects, ours and the reference both show ${shown.join(', ') || 'none'}; not ${missing.join('; ')}.`
    : `mixup shows all three of the paper's CIFAR effects, in ours as in the reference: ${shown.join(', ')}.`;
  const tests = ms.map((m) => ({ m, t: welchTest([...m.ours.values()], [...m.ref.values()]) })).filter((x) => x.t);
  const differ = tests.filter((x) => x.t!.p < 0.05);
  const verdict = differ.length
    ? `Welch's t-test (seeds as units) separates ours from the reference on ${differ.map((x) => `${x.m.name} (p = ${fmt(x.t!.p, 3)})`).join('; ')}, and on no other row.`
    : `Welch's t-test (seeds as units) finds no difference between ours and the reference on any of the ${tests.length} rows it can test (smallest p = ${fmt(Math.min(...tests.map((x) => x.t!.p)), 2)}).`;
  return (
    `${effectsLine} It lowers the clean test error by **${fmt(mean(gain.ours), 1)} points** over our ${gain.ours.size} seeds ` +
    `(the PyTorch reference: ${fmt(mean(gain.ref), 1)} over its ${gain.ref.size}). ${verdict}`
  );
}

/** The headline figure: clean test error per seed, ERM and mixup, ours beside the reference's. */
export async function headlineFigure(): Promise<string> {
  const ms = lowdataMeasures();
  const rows: Row[] = [];
  for (const [m, method] of [
    [ms[0], paperLabel(0)],
    [ms[1], paperLabel(cifarAt('lowdata').P.alpha)],
  ] as const) {
    for (const [seed, v] of m.ours) rows.push({ method, source: 'mixup-lab', seed, error: +v.toFixed(2) });
    for (const [seed, v] of m.ref) rows.push({ method, source: 'PyTorch reference', seed, error: +v.toFixed(2) });
  }
  const svg = await toSvg(
    seedStrip(rows, {
      group: 'method',
      series: 'source',
      value: 'error',
      title: 'Low-data CIFAR-10: clean test error, one point per seed',
      yTitle: 'test error % (last epoch)',
    }),
  );
  return svg.endsWith('\n') ? svg : `${svg}\n`;
}

/** Every published clean run of the protocol, by folder and seed, and the reference's seeds. */
export function lowdataRunsTable(): string {
  const c = cifarAt('lowdata');
  const byFolder = [...c.runs].sort((x, y) => x.source.localeCompare(y.source) || x.seed - y.seed);
  const keys = [...new Set(byFolder.map((r) => `${r.source}\u0000${r.seed}`))];
  const rows = keys.map((k) => {
    const [folder, seed] = k.split('\u0000');
    const pick = (method: string) =>
      c.runs.filter((r) => r.source === folder && String(r.seed) === seed && r.method === method);
    const e = pick(ERM),
      m = pick(MIXUP);
    const cell = (rs: OurRun[]) => (rs.length ? rs.map((r) => fmt(lastPct(r.run), 2)).join(', ') : '—');
    const gain = e.length === 1 && m.length === 1 ? fmt(lastPct(e[0].run) - lastPct(m[0].run), 2) : '—';
    const secs = [...e, ...m].map((r) => fmt(r.run.seconds)).join(', ');
    const threads = distinct([...e, ...m].map((r) => r.run.threads ?? 0))
      .map((t) => (t ? String(t) : '?'))
      .join(', ');
    return [`\`${folder}\``, seed, cell(e), cell(m), gain, secs, threads];
  });
  for (const seed of distinct(c.reference.map((r) => r.seed))) {
    const e = c.reference.find((r) => r.seed === seed && r.alpha === 0 && r.noise === 0),
      m = c.reference.find((r) => r.seed === seed && r.alpha === c.P.alpha && r.noise === 0);
    rows.push([
      `PyTorch reference (${(e ?? m)!.source})`,
      String(seed),
      e ? fmt(e.last, 2) : '—',
      m ? fmt(m.last, 2) : '—',
      e && m ? fmt(e.last - m.last, 2) : '—',
      '',
      '',
    ]);
  }
  return table(
    ['run (folder under results/)', 'seed', 'ERM %', `mixup α = ${c.P.alpha} %`, 'gain', 'seconds per run', 'threads'],
    rows,
  );
}

/** The memorisation experiment on the lowdata protocol, run by run. */
export function lowdataNoiseTable(): string {
  const n = corruptedAt('lowdata');
  const g = n.own.group;
  const cell = (r: OurRun) =>
    `${fmt(100 * bestTestError(r.run.history), 2)} / ${fmt(lastPct(r.run), 2)}, ` +
    `${fmt(100 * lastExtra(r.run.history, 'corruptedTrainError'), 1)} %`;
  const rows = n.runs
    .filter((r) => r.group === g.label)
    .sort((x, y) => x.source.localeCompare(y.source) || x.seed - y.seed)
    .map((r) => [`\`${r.source}\``, String(r.seed), paperLabel(r.run.spec.train.mixup.alpha), cell(r)]);
  for (const r of cifarAt('lowdata').reference.filter((x) => x.noise === g.noise)) {
    rows.push([
      `PyTorch reference (${r.source})`,
      String(r.seed),
      paperLabel(r.alpha),
      `${fmt(r.best, 2)} / ${fmt(r.last, 2)}, ${r.corruptedTrain === null ? '—' : `${fmt(r.corruptedTrain, 1)} %`}`,
    ]);
  }
  return table(['run', 'seed', 'method', 'test error % best / last, redrawn labels left unlearnt'], rows);
}

/** White-box and black-box FGSM (exact-gradient attack on both sides), by seed. */
export function lowdataFgsmTable(): string {
  const f = fgsmAt('lowdata');
  const rows = f.file.rows
    .filter((r) => r.attack === 'white' || r.attack === 'black')
    .sort((x, y) => x.seed - y.seed || y.attack.localeCompare(x.attack));
  const out = rows.map((r) => [
    `ours, ${r.attack}-box${r.attack === 'black' ? ` (examples from the seed's ERM)` : ''}`,
    String(r.seed),
    r.target,
    r.error.map((e) => fmt(e, 2)).join(' / '),
  ]);
  for (const r of cifarAt('lowdata')
    .reference.filter((x) => x.noise === 0 && x.fgsmWhiteExact)
    .sort((x, y) => x.seed - y.seed || x.alpha - y.alpha)) {
    out.push([
      `PyTorch reference, white-box (${r.source})`,
      String(r.seed),
      paperMethodAt(r.alpha).name,
      f.file.eps.map((e) => fmt(r.fgsmWhiteExact![e], 2)).join(' / '),
    ]);
  }
  return table(['attack', 'seed', 'model', `error % at ε = ${f.file.eps.join(' / ')} (/255)`], out);
}
