/**
 * The low-data profile (2,500 images, width 16, 240 epochs) beside the PyTorch reference at the same protocol: the
 * headline of the project. Ours over seeds (reruns of a seed averaged into one unit), the reference over its seeds,
 * and Welch's t-test between them, seeds as units.
 */
import { toSvg } from '../../lib/charts/render';
import { seedStrip } from '../../lib/charts/specs';
import type { Row } from '../../lib/charts/specs';
import { CIFAR_PROFILES } from '../../lib/experiments/cifar';
import { ADVERSARIAL_PROFILES, CORRUPTED_PROFILES } from '../../lib/experiments/report-runs';
import { pairedDifference, referencePerSeed } from '../../lib/findings/common';
import { lowdataReferenceRuns, ReferenceRun } from '../../lib/reference/runs';
import { meanStd, welchTest } from '../../lib/stats';
import {
  bestPct,
  distinct,
  fmt,
  label,
  lastPct,
  perSeed,
  readJson,
  runsOf,
  seedOf,
  spreadCell,
  table,
  unlearntPct,
} from './common';

const P = CIFAR_PROFILES.lowdata;
/** Notebook 3's mixup α under label noise, from its profile table. */
const NOISE_ALPHA = CORRUPTED_PROFILES.lowdata.alpha;
const NOISE = 0.5;
/** The ε (/255) notebook 5 attacks at, from its profile table. */
const EPS = ADVERSARIAL_PROFILES.lowdata.epsilons;

interface FgsmRow {
  attack: string;
  target: string;
  seed: number;
  run?: string;
  source?: string;
  targetRun?: string;
  error: number[];
}

/** One measure, ours and the reference's, each as value per seed. */
interface Measure {
  name: string;
  ours: Map<number, number>;
  runs: number;
  ref: Map<number, number>;
}

const clean = () => ({ erm: runsOf(P, 0), mixup: runsOf(P, P.alpha) });
const noisy = () => ({ erm: runsOf(P, 0, NOISE), mixup: runsOf(P, NOISE_ALPHA, NOISE) });

/** The reference's lowdata runs' `pick` per seed (lib/findings, as the notebooks read the reference). */
const refBySeed = (alpha: number, noise: number, pick: (r: ReferenceRun) => number | null | undefined) =>
  referencePerSeed(lowdataReferenceRuns(), alpha, noise, pick);

function whiteBox(target: 'ERM' | 'mixup', eps: number): Map<number, number> {
  const rows = readJson<{ rows: FgsmRow[] }>('lowdata/fgsm-exact.json').rows.filter(
    (r) => r.attack === 'white' && r.target === target,
  );
  return new Map(rows.map((r) => [r.seed, r.error[EPS.indexOf(eps)]]));
}

/** The measures of the headline, in its order. */
export function lowdataMeasures(): Measure[] {
  const c = clean(),
    n = noisy();
  const ermClean = perSeed(c.erm, lastPct),
    mixClean = perSeed(c.mixup, lastPct);
  const refErm = refBySeed(0, 0, (r) => r.last),
    refMix = refBySeed(P.alpha, 0, (r) => r.last);
  return [
    { name: 'clean test error %, ERM', ours: ermClean, runs: c.erm.length, ref: refErm },
    { name: `clean test error %, mixup α = ${P.alpha}`, ours: mixClean, runs: c.mixup.length, ref: refMix },
    {
      name: "mixup's gain (ERM − mixup, points)",
      ours: pairedDifference(ermClean, mixClean),
      runs: Math.min(c.erm.length, c.mixup.length),
      ref: pairedDifference(refErm, refMix),
    },
    {
      name: `${NOISE * 100} % noisy labels, ERM: test error % at the end`,
      ours: perSeed(n.erm, lastPct),
      runs: n.erm.length,
      ref: refBySeed(0, NOISE, (r) => r.last),
    },
    {
      name: `${NOISE * 100} % noisy labels, mixup α = ${NOISE_ALPHA}`,
      ours: perSeed(n.mixup, lastPct),
      runs: n.mixup.length,
      ref: refBySeed(NOISE_ALPHA, NOISE, (r) => r.last),
    },
    {
      name: 'white-box FGSM error % at ε = 4/255, ERM',
      ours: whiteBox('ERM', 4),
      runs: whiteBox('ERM', 4).size,
      ref: refBySeed(0, 0, (r) => r.fgsmWhiteExact?.[4]),
    },
    {
      name: 'white-box FGSM error % at ε = 4/255, mixup',
      ours: whiteBox('mixup', 4),
      runs: whiteBox('mixup', 4).size,
      ref: refBySeed(P.alpha, 0, (r) => r.fgsmWhiteExact?.[4]),
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
    [ms[0], 'ERM'],
    [ms[1], `mixup α = ${P.alpha}`],
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
  const c = clean();
  const keys = [
    ...new Set(
      [...c.erm, ...c.mixup]
        .sort((x, y) => x.folder.localeCompare(y.folder) || seedOf(x) - seedOf(y))
        .map((r) => `${r.folder}\u0000${seedOf(r)}`),
    ),
  ];
  const rows = keys.map((k) => {
    const [folder, seed] = k.split('\u0000');
    const pick = (rs: typeof c.erm) => rs.filter((r) => r.folder === folder && String(seedOf(r)) === seed);
    const e = pick(c.erm),
      m = pick(c.mixup);
    const cell = (rs: typeof e) => (rs.length ? rs.map((r) => fmt(lastPct(r.run), 2)).join(', ') : '—');
    const gain = e.length === 1 && m.length === 1 ? fmt(lastPct(e[0].run) - lastPct(m[0].run), 2) : '—';
    const secs = [...e, ...m].map((r) => fmt(r.run.seconds)).join(', ');
    const threads = distinct([...e, ...m].map((r) => r.run.threads ?? 0))
      .map((t) => (t ? String(t) : '?'))
      .join(', ');
    return [label(e[0] ?? m[0]), seed, cell(e), cell(m), gain, secs, threads];
  });
  const ref = lowdataReferenceRuns();
  for (const seed of distinct(ref.map((r) => r.seed))) {
    const e = ref.find((r) => r.seed === seed && r.alpha === 0 && r.noise === 0),
      m = ref.find((r) => r.seed === seed && r.alpha === P.alpha && r.noise === 0);
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
    ['run (folder under results/)', 'seed', 'ERM %', `mixup α = ${P.alpha} %`, 'gain', 'seconds per run', 'threads'],
    rows,
  );
}

/** The memorisation experiment at 50 % noise, run by run. */
export function lowdataNoiseTable(): string {
  const n = noisy();
  const cell = (r: (typeof n.erm)[number]) =>
    `${fmt(bestPct(r.run), 2)} / ${fmt(lastPct(r.run), 2)}, ${fmt(unlearntPct(r.run), 1)} %`;
  const rows = [...n.erm, ...n.mixup]
    .sort((x, y) => x.folder.localeCompare(y.folder) || seedOf(x) - seedOf(y))
    .map((r) => [
      label(r),
      String(seedOf(r)),
      r.run.spec.train.mixup.alpha ? `mixup α = ${r.run.spec.train.mixup.alpha}` : 'ERM',
      cell(r),
    ]);
  for (const r of lowdataReferenceRuns().filter((x) => x.noise === NOISE)) {
    rows.push([
      `PyTorch reference (${r.source})`,
      String(r.seed),
      r.alpha ? `mixup α = ${r.alpha}` : 'ERM',
      `${fmt(r.best, 2)} / ${fmt(r.last, 2)}, ${r.corruptedTrain === null ? '—' : `${fmt(r.corruptedTrain, 1)} %`}`,
    ]);
  }
  return table(['run', 'seed', 'method', 'test error % best / last, redrawn labels left unlearnt'], rows);
}

/** White-box and black-box FGSM (exact-gradient attack on both sides), by seed. */
export function lowdataFgsmTable(): string {
  const rows = readJson<{ rows: FgsmRow[] }>('lowdata/fgsm-exact.json')
    .rows.filter((r) => r.attack === 'white' || r.attack === 'black')
    .sort((x, y) => x.seed - y.seed || y.attack.localeCompare(x.attack));
  const out = rows.map((r) => [
    `ours, ${r.attack}-box${r.attack === 'black' ? ` (examples from the seed's ERM)` : ''}`,
    String(r.seed),
    r.target,
    r.error.map((e) => fmt(e, 2)).join(' / '),
  ]);
  for (const r of lowdataReferenceRuns()
    .filter((x) => x.noise === 0 && x.fgsmWhiteExact)
    .sort((x, y) => x.seed - y.seed || x.alpha - y.alpha)) {
    out.push([
      `PyTorch reference, white-box (${r.source})`,
      String(r.seed),
      r.alpha ? 'mixup' : 'ERM',
      EPS.map((e) => fmt(r.fgsmWhiteExact![e], 2)).join(' / '),
    ]);
  }
  return table(['attack', 'seed', 'model', `error % at ε = ${EPS.join(' / ')} (/255)`], out);
}
