/**
 * Named, seeded random streams. Every random draw in mixup-lab (weight init, shuffling, augmentation,
 * λ, label corruption, data splits, toy data) comes from one of these, so a seed reproduces a run.
 * The generator (Mersenne Twister) and the Beta and normal samplers are @stdlib's; each named stream gets
 * its own generator seeded from (seed, name), so adding draws to one stream never shifts another.
 */
import mt19937 from '@stdlib/random-base-mt19937';
import betaFactory from '@stdlib/random-base-beta';
import normalFactory from '@stdlib/random-base-normal';

/** FNV-1a over "seed:name", folded into the MT19937 seed range [1, 2^32 - 1]. */
export function streamSeed(seed: number, name: string): number {
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${name}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h === 0 ? 1 : h;
}

export class RandomStream {
  readonly uniform: () => number;
  private readonly betas = new Map<string, () => number>();
  private normalSampler: (() => number) | null = null;

  constructor(
    readonly seed: number,
    readonly name: string,
  ) {
    const gen = mt19937.factory({ seed: streamSeed(seed, name) }) as unknown as { normalized: () => number };
    this.uniform = gen.normalized;
  }

  /** A child stream, independent of this one's position. */
  fork(name: string): RandomStream {
    return new RandomStream(this.seed, `${this.name}/${name}`);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  beta(a: number, b: number): number {
    const key = `${a},${b}`;
    let f = this.betas.get(key);
    if (!f) {
      f = betaFactory.factory(a, b, { prng: this.uniform });
      this.betas.set(key, f);
    }
    return f();
  }

  normal(mu = 0, sigma = 1): number {
    this.normalSampler ??= normalFactory.factory(0, 1, { prng: this.uniform });
    return mu + sigma * this.normalSampler();
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates on this stream: @stdlib's shuffle cannot take an external generator). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** n values uniform in [lo, hi). */
  uniformArray(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }
}

/** The stream `name` of run seed `seed`. */
export function stream(seed: number, name: string): RandomStream {
  return new RandomStream(seed, name);
}
