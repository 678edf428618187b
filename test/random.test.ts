import assert from 'node:assert/strict';
import { test } from 'node:test';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { stream, streamSeed } from '../lib/random';
import { mean } from './helpers';

test('same seed and name give the same draws; other names or seeds differ', () => {
  const draw = (seed: number, name: string) =>
    Array.from(
      { length: 20 },
      (() => {
        const s = stream(seed, name);
        return () => s.uniform();
      })(),
    );
  assert.deepEqual(draw(7, 'init'), draw(7, 'init'));
  assert.notDeepEqual(draw(7, 'init'), draw(7, 'shuffle'));
  assert.notDeepEqual(draw(7, 'init'), draw(8, 'init'));
  assert.notEqual(streamSeed(1, 'a'), streamSeed(1, 'b'));
  assert.throws(() => stream(-1, 'x'), /non-negative integer/);
});

test('permutation holds every index once and is seeded', () => {
  const p = stream(3, 'p').permutation(1001);
  assert.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 1001 }, (_, i) => i),
  );
  assert.deepEqual(p, stream(3, 'p').permutation(1001));
  assert.notDeepEqual(
    [...p],
    Array.from({ length: 1001 }, (_, i) => i),
  );
});

/** Kolmogorov–Smirnov statistic of samples against a CDF. */
function ks(samples: number[], cdf: (x: number) => number): number {
  const s = [...samples].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => {
    d = Math.max(d, Math.abs(cdf(x) - i / s.length), Math.abs(cdf(x) - (i + 1) / s.length));
  });
  return d;
}

for (const alpha of [0.2, 1, 8]) {
  test(`Beta(${alpha}, ${alpha}) draws match the distribution (mean, variance, KS)`, () => {
    const rng = stream(11, `beta${alpha}`);
    const n = 20000;
    const xs = Array.from({ length: n }, () => rng.beta(alpha, alpha));
    const m = mean(xs);
    const v = mean(xs.map((x) => (x - m) ** 2));
    const trueVar = 1 / (4 * (2 * alpha + 1));
    assert.ok(Math.abs(m - 0.5) < 4 * Math.sqrt(trueVar / n), `mean ${m}`);
    assert.ok(Math.abs(v - trueVar) / trueVar < 0.05, `variance ${v} vs ${trueVar}`);
    // KS critical value at the 0.1 % level: 1.95 / √n.
    assert.ok(ks(xs, (x) => betaCdf(x, alpha, alpha)) < 1.95 / Math.sqrt(n));
    // ... and the test has power: Beta(α, α) is not Beta(α, 2α).
    assert.ok(ks(xs, (x) => betaCdf(x, alpha, 2 * alpha)) > 1.95 / Math.sqrt(n));
  });
}
