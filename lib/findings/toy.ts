/**
 * Notebook 1's comparison: how sharp ERM's and mixup's decision boundaries are on two moons (the paper's Fig. 1b,
 * a picture: the comparison is qualitative), and the finding, computed: mixup leaves a wider uncertain band.
 */
import type { ToyRun } from '../experiments/toy';
import { CLAIM_WORDS, compared, effectBetween, PerSeed, plural, raises, spreadCell, StripRow } from './common';
import { PAPER_METHODS } from '../methods';

const [ERM, MIXUP] = PAPER_METHODS;

const bySeed = (runs: ToyRun[], f: (r: ToyRun) => number): PerSeed => new Map(runs.map((r) => [r.seed, f(r)]));

export function toyComparison(runs: ToyRun[]) {
  const of = (m: string) => runs.filter((r) => r.method === m);
  const band = (m: string) => bySeed(of(m), (r) => r.band);
  const rows = PAPER_METHODS.map((method) => ({
    method,
    seeds: of(method)
      .map((r) => r.seed)
      .join(', '),
    'uncertain band, % of the plane': spreadCell(band(method)),
    'test error %': spreadCell(bySeed(of(method), (r) => r.testError)),
    'paper, Fig. 1(b)': method === ERM ? 'hard boundary' : 'smooth transition',
  }));
  const strip: StripRow[] = runs.map((r) => ({ group: r.method, side: 'mixup-lab', seed: r.seed, value: r.band }));
  const effect = effectBetween(band(ERM), band(MIXUP));
  const claim = raises(effect);
  const sentence =
    `Over ${plural(band(ERM).size, 'seed')}, mixup's uncertain band (0.1 < p < 0.9) is ` +
    `${compared(effect, "ERM's")}: the paper's smoother transition ` +
    `${claim === null ? 'cannot be read (fewer than two seeds a side)' : CLAIM_WORDS[claim]}.`;
  return { rows, strip, finding: { effect, claim, sentence } };
}
