/**
 * The notebooks' findings (lib/findings) on runs made up for the purpose: whatever the runs say, the verdict must follow
 * — holds where Welch separates the seeds the claimed way, contradicted where it separates them the other way, not
 * shown where it cannot, unreadable with one seed a side, not run with none — and each figure must be the runs' own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABLATION_VARIANTS } from '../lib/experiments/ablation';
import type { AttackScore } from '../lib/experiments/adversarial';
import { CIFAR_PROFILES, cifarSpec } from '../lib/experiments/cifar';
import { notebookParams } from '../lib/experiments/profiles';
import { corruptedGroups, CORRUPTED_PROFILES } from '../lib/experiments/report-runs';
import { ablationComparison } from '../lib/findings/ablation';
import { adversarialComparison } from '../lib/findings/adversarial';
import { cifarComparison } from '../lib/findings/cifar';
import type { OurRun } from '../lib/findings/common';
import { corruptedComparison } from '../lib/findings/corrupted';
import { uciComparison } from '../lib/findings/uci';
import { chooseAlpha, UCI_PROFILES, uciOutcomes, UciRun } from '../lib/experiments/uci';
import type { ReferenceRun } from '../lib/reference/runs';
import type { RunResult } from '../lib/runs/cache';

/** A finished run whose scored epochs end at test error `last` % (its best scored epoch `best` %). */
function run(seed: number, last: number, best = last, unlearnt?: number): RunResult {
  const extra: Record<string, number> =
    unlearnt === undefined ? {} : { corruptedTrainError: unlearnt / 100, cleanTrainError: 0 };
  const epoch = (e: number, err: number) => ({
    epoch: e,
    lr: 0.1,
    trainLoss: 1,
    trainError: 0.5,
    testLoss: 1,
    testError: err / 100,
    testEce: 0.1,
    seconds: 1,
    imgPerSec: 100,
    extra,
  });
  return {
    spec: cifarSpec(CIFAR_PROFILES.smoke, 1, seed),
    history: [epoch(0, best), epoch(1, last)],
    seconds: 2,
    finishedAt: `2026-12-03T00:00:0${seed % 10}Z`,
  };
}

const ours = (method: string, errors: number[], group = '', first = 1): OurRun[] =>
  errors.map((e, i) => ({ method, group, seed: first + i, run: run(first + i, e), source: 'here' }));

function reference(alpha: number, errors: number[], extra: Partial<ReferenceRun> = {}): ReferenceRun[] {
  return errors.map((last, i) => ({
    seed: i + 1,
    alpha,
    noise: 0,
    last,
    best: last,
    corruptedTrain: null,
    fgsmWhite: {},
    fgsmWhiteExact: null,
    fgsmBlack: null,
    calibration: null,
    curve: [],
    source: 'made up',
    ...extra,
  }));
}

const APART = { erm: [30, 31, 29.5, 30.5], mixup: [25, 25.5, 24.5, 25.2] };

test('notebook 2: mixup lowering the error holds where Welch separates the seeds, and each side is read apart', () => {
  const runs = [...ours('ERM', APART.erm), ...ours('mixup', APART.mixup)];
  // The reference: mixup higher on every seed (contradicted).
  const ref = [...reference(0, [25, 25.2, 24.8]), ...reference(1, [30, 30.4, 29.9])];
  const c = cifarComparison(runs, ref, 1);
  assert.deepEqual(c.finding.lowersError, { ours: 'holds', reference: 'contradicted' });
  assert.deepEqual([...c.finding.erm.ours.values()], APART.erm);
  // The gain is ERM − mixup seed by seed.
  for (const [s, g] of c.finding.gain.ours) assert.ok(Math.abs(g - (APART.erm[s - 1] - APART.mixup[s - 1])) < 1e-9);
  assert.match(c.finding.sentence, /holds in ours and is contradicted in the reference/);
  assert.equal(c.rows.length, 2);
  assert.equal(c.strip.filter((r) => r.side === 'mixup-lab').length, 8);
  assert.ok(c.curves.length > 0, 'runs trained here give learning curves');

  // The same values on both sides: not shown. One seed a side: cannot be read. No reference runs: not run.
  const same = cifarComparison([...ours('ERM', APART.erm), ...ours('mixup', APART.erm)], [], 1);
  assert.deepEqual(same.finding.lowersError, { ours: 'not shown', reference: 'not run' });
  assert.match(same.finding.sentence, /does not show .* in ours and cannot be read \(not run\) in the reference/);
  const one = cifarComparison([...ours('ERM', [30]), ...ours('mixup', [25])], [], 1);
  assert.equal(one.finding.lowersError.ours, null);
  assert.match(one.finding.sentence, /cannot be read \(ours: fewer than two seeds a side; the reference: not run\)/);
});

test('a seed trained twice counts once, at the mean of its runs', () => {
  const reruns: OurRun[] = [
    ...ours('ERM', [30, 32]),
    { method: 'ERM', group: '', seed: 1, run: run(1, 34), source: 'results/x' },
    ...ours('mixup', [25, 26]),
  ];
  const c = cifarComparison(reruns, [], 1);
  assert.equal(c.finding.erm.ours.size, 2);
  assert.equal(c.finding.erm.ours.get(1), 32);
  assert.match(String(c.rows[0].seeds), /^1, 2$/);
});

test('notebook 3: memorising fewer random labels and a lower error under noise, per group, with the reference given', () => {
  const P = notebookParams(CORRUPTED_PROFILES, { MIXUP_PROFILE: 'smoke' });
  const [g] = corruptedGroups(P);
  const noisy = (method: string, last: number[], unlearnt: number[]): OurRun[] =>
    last.map((e, i) => ({
      method,
      group: g.label,
      seed: i + 1,
      run: run(i + 1, e, e - 3, unlearnt[i]),
      source: 'here',
    }));
  const runs = [
    ...noisy('ERM', [60, 61, 59, 60.5], [1, 0.5, 2, 1]),
    ...noisy('mixup', [50, 51, 49, 50], [60, 62, 58, 61]),
  ];
  // The reference ERM and mixup memorise alike.
  const ref = [
    ...reference(0, [60, 61], { noise: g.noise, corruptedTrain: 5 }),
    ...reference(P.alpha, [50, 51], { noise: g.noise, corruptedTrain: 5 }),
  ].map((r, i) => ({ ...r, corruptedTrain: 5 + (i % 2) }));
  const c = corruptedComparison(runs, [g], P.alpha, () => ref);
  const [f] = c.findings;
  assert.deepEqual(f.memorisesLess, { ours: 'holds', reference: 'not shown' });
  assert.deepEqual(f.lowersError, { ours: 'holds', reference: 'holds' });
  // ERM's rise above its best is the runs' own: three points, as made.
  assert.ok(Math.abs(f.ermRise.ours - 3) < 1e-9);
  assert.match(f.sentence, /memorises fewer random labels holds in ours and does not show/);
  assert.equal(c.rows.filter((r) => r.method === 'ERM').length, 1);
});

test('notebook 5: white-box and black-box claims per ε, from scores picked by role, not by position', () => {
  const scores: AttackScore[] = [];
  for (const seed of [1, 2, 3])
    for (const eps of [1, 8]) {
      const add = (mode: AttackScore['mode'], target: AttackScore['target'], error: number) =>
        scores.push({ attack: 'FGSM', mode, target, eps, seed, error });
      // Shuffled order: the finding must not care.
      add('black-box', 'mixup', 40 + eps + seed * 0.1);
      add('white-box', 'ERM', 90 + eps / 10 + seed * 0.1);
      add('white-box', 'mixup', 80 + eps / 10 + seed * 0.2);
      add('black-box', 'ERM', 40 + eps + seed * 0.15);
      scores.push({ attack: 'I-FGSM', mode: 'white-box', target: 'mixup', eps, seed, error: 1 });
    }
  const a = adversarialComparison(scores, [], 1, [1, 8]);
  const [e1] = a.finding.epsilons;
  assert.equal(e1.white.erm.ours.get(2), 90.1 + 0.2);
  assert.deepEqual(e1.whiteLower, { ours: 'holds', reference: 'not run' });
  // Black-box errors of mixup and the second ERM overlap: not shown.
  assert.equal(e1.blackLower.ours, 'not shown');
  for (const [s, gap] of e1.whiteGap.ours) assert.ok(gap < 0, `seed ${s}: mixup more robust`);
  assert.match(a.finding.sentence, /lowers white-box FGSM error at every ε holds in ours/);
  assert.equal(a.rows.length, 2);
});

test('notebook 8: mixup first and separated holds; beaten by a variant Welch separates is contradicted', () => {
  const group = 'weight decay 0.0001';
  const all = (mixup: number[], others: number[]) =>
    ABLATION_VARIANTS.flatMap((v, k) =>
      ours(
        v.name,
        (v.name === 'mixup' ? mixup : others).map((x) => x + k),
        group,
      ),
    );
  const best = ablationComparison(all([10, 10.2, 9.9], [20, 20.5, 19.8]), [1e-4], 1).findings[0];
  assert.equal(best.claim, 'holds');
  assert.equal(best.mixupRank, 1);
  assert.equal(best.ranking.length, ABLATION_VARIANTS.length);
  const worst = ablationComparison(all([40, 40.2, 39.9], [20, 20.5, 19.8]), [1e-4], 1).findings[0];
  assert.equal(worst.claim, 'contradicted');
  assert.match(worst.sentence, /ranks \d+ of/);
  assert.equal(ablationComparison([], [1e-4], 1).findings[0].claim, 'not run');
});

test("a method is one entry: a third method gets its own row, reads only the reference's runs of itself, and 'not run' where the reference has none", () => {
  const runs = [...ours('ERM', APART.erm), ...ours('mixup', APART.mixup), ...ours('Manifold Mixup', [23, 23.5, 22.8])];
  // The reference ran mixup at α 2 and Manifold Mixup at α 2: each row takes its own.
  const ref = [
    ...reference(0, [31, 30]),
    ...reference(2, [26, 26.5, 25.5]),
    ...reference(2, [24, 24.5, 23.5], { layers: [0, 1, 2] }),
  ];
  const c = cifarComparison(runs, ref, 2, {}, ['ERM', 'mixup', 'Manifold Mixup']);
  assert.deepEqual(
    c.rows.map((r) => r.method),
    ['ERM', 'mixup α = 2', 'Manifold Mixup α = 2'],
  );
  const refCell = (i: number) => String(c.rows[i]['PyTorch reference, same protocol']);
  assert.match(refCell(1), /^26\.00/, "mixup's reference cell is mixup's runs");
  assert.match(refCell(2), /^24\.00/, "Manifold Mixup's is its own, not mixup's at the same α");
  assert.equal(c.rows[2]['paper, full CIFAR-10 (as reported)'], null, 'the paper has no Manifold Mixup number');
  // The finding adds each other method against input mixup, over seeds, on each side.
  assert.deepEqual(c.finding.againstMixup[0].lowers, { ours: 'holds', reference: 'holds' });
  assert.match(c.finding.sentence, /Manifold Mixup α = 2 against mixup α = 2: its last-epoch test error is lower by/);
  // Without its reference runs, mixup at α 2 would not borrow Manifold Mixup's, nor the other way round.
  const onlyManifold = cifarComparison(
    runs,
    ref.filter((r) => r.layers),
    2,
    {},
    ['mixup', 'Manifold Mixup'],
  );
  assert.equal(onlyManifold.finding.mixup.reference.size, 0);
  // A method the reference never ran (CutMix: tools/reference has none) reads "not run", with no reference points.
  const cut = cifarComparison([...runs, ...ours('CutMix', [24, 24.2])], ref, 2, {}, ['ERM', 'CutMix']);
  assert.equal(cut.rows[1].method, 'CutMix α = 1');
  assert.equal(cut.rows[1]['PyTorch reference, same protocol'], 'not run');
  assert.match(cut.finding.sentence, /CutMix α = 1 against mixup α = 2: .* not run in the PyTorch reference/);
  assert.equal(cut.strip.filter((r) => r.group.startsWith('CutMix') && r.side !== 'mixup-lab').length, 0);
  assert.throws(
    () => cifarComparison(runs, ref, 2, {}, ['ERM', 'AugMix' as never]),
    /unknown method 'AugMix': use one of ERM, mixup, CutMix, Manifold Mixup/,
  );
});

test("UCI: α is chosen on the validation rows (a tie to the smaller α), mixup's test error read at it, the verdicts per side", () => {
  const P = { ...UCI_PROFILES.quick, sets: ['iris', 'arcene'], scalings: ['standard', 'raw'] };
  const runs: UciRun[] = [];
  const add = (
    set: string,
    scaling: 'standard' | 'raw',
    scored: 'test' | 'validation',
    alpha: number,
    seed: number,
    error: number,
  ) => runs.push({ set, scaling, scored, alpha, seed, error });
  for (const seed of [1, 2, 3])
    for (const scaling of ['standard', 'raw'] as const) {
      // iris: validation ties at α = 2 and 8 (2 is chosen); mixup there clearly lower than ERM on the test rows.
      for (const [a, v] of [
        [1, 9],
        [2, 5],
        [4, 7],
        [8, 5],
        [16, 6],
      ])
        add('iris', scaling, 'validation', a, seed, v);
      add('iris', scaling, 'test', 0, seed, 20 + seed / 10);
      for (const a of P.alphas) add('iris', scaling, 'test', a, seed, a === 2 ? 10 + seed / 10 : 30);
      // arcene: raw errors near the paper's (57.6 / 48), standardised far from them.
      add('arcene', scaling, 'validation', 16, seed, 1);
      add('arcene', scaling, 'test', 0, seed, (scaling === 'raw' ? 55 : 10) + seed);
      for (const a of P.alphas) add('arcene', scaling, 'test', a, seed, (scaling === 'raw' ? 50 : 12) + seed);
    }
  assert.equal(
    chooseAlpha([
      { alpha: 8, error: 5 },
      { alpha: 2, error: 5 },
      { alpha: 1, error: 9 },
    ]),
    2,
  );
  assert.equal(chooseAlpha([]), null);
  const out = uciOutcomes(runs, 1);
  const iris1 = out.find((o) => o.set === 'iris' && o.seed === 1 && o.scaling === 'raw')!;
  assert.deepEqual(
    { ...iris1 },
    { set: 'iris', scaling: 'raw', seed: 1, erm: 20.1, fixed: 30, chosenAlpha: 2, chosen: 10.1 },
  );

  // The reference: iris only, standardised, where mixup does not help.
  const reference = runs
    .filter((r) => r.set === 'iris' && r.scaling === 'standard')
    .map((r) => (r.scored === 'test' && r.alpha === 2 ? { ...r, error: 20 + r.seed / 10 } : r));
  const cmp = uciComparison(runs, reference, P);
  const f = cmp.finding.sets.find((s) => s.set === 'iris')!;
  assert.deepEqual(f.lowers.standard, { ours: 'holds', reference: 'not shown' });
  assert.equal(f.lowers.raw.reference, 'not run');
  const arcene = cmp.finding.sets.find((s) => s.set === 'arcene')!;
  assert.equal(arcene.nearer.ours, 'raw');
  assert.equal(arcene.nearer.reference, null);
  assert.match(
    cmp.finding.sentence,
    /in ours, lower than ERM's on iris \(standardised\), iris \(raw\) and arcene \(raw\); not separated from ERM's elsewhere\. In the reference, /,
  );
  assert.match(
    cmp.finding.sentence,
    /in ours, either scaling equally on iris; raw features on arcene, the nearer scaling still/,
  );
  const chosen = cmp.rows.find(
    (r) => r.set === 'iris' && r.features === 'raw' && r.method === 'mixup, α chosen on validation',
  )!;
  assert.equal(chosen['α chosen per seed (ours; reference)'], '2, 2, 2; —');
  assert.equal(chosen['paper (as recalled)'], 17.3);
  assert.equal(cmp.means.length, 4);
});
