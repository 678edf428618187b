/**
 * The mixing methods, one entry each: what a method is, in one place. Jobs build a method's runs from its entry,
 * findings and tables label and compare them by it, and the reference lookup matches the reference's runs of that very
 * method (a method the reference never ran reads "not run": it never borrows another method's runs). After timm's
 * `data/mixup.py` (modes as data) and openmixup (a method is a config entry).
 *
 * Adding a method: its entry here, its mixing op in lib/mixup.ts if it is new, and a test.
 */
import type { MixupOptions } from '../mixup';

export interface Method {
  /** The name tables show, and a run's `method` (lib/experiments/jobs' Wanted). */
  name: string;
  about: string;
  /** What it mixes. */
  mixes: 'nothing' | 'inputs' | 'hidden states';
  /** Its α: 0 for no mixing, its authors' value, or 'protocol': the notebook's α (the paper's mixup, whose α varies). */
  alpha: number | 'protocol';
  /** The sampler's options beyond α (lib/mixup): pairing, targets, layers… */
  options: Omit<MixupOptions, 'alpha'>;
  /**
   * How tools/reference/train.py runs it: the LAYERS it mixes at (absent: the inputs); null where the reference has
   * no such method.
   */
  reference: { layers?: number[] } | null;
  /** The paper's key for its reported CIFAR-10 error (lib/reference/paper's cifar10PreActErr), or null. */
  paper: 'erm' | 'mixup' | null;
}

export const METHODS = {
  ERM: {
    name: 'ERM',
    about: 'no mixing: the baseline',
    mixes: 'nothing',
    alpha: 0,
    options: {},
    reference: {},
    paper: 'erm',
  },
  mixup: {
    name: 'mixup',
    about: 'random pairs from the batch, inputs and labels mixed by one λ ~ Beta(α, α) (the paper)',
    mixes: 'inputs',
    alpha: 'protocol',
    options: {},
    reference: {},
    paper: 'mixup',
  },
  CutMix: {
    name: 'CutMix',
    about: 'Yun et al. (ICCV 2019): a box of area 1 − λ pasted from the partner, the labels mixed by the box area',
    mixes: 'inputs',
    alpha: 1,
    options: { mode: 'cutmix' },
    // tools/reference/train.py has no CutMix.
    reference: null,
    paper: null,
  },
  'Manifold Mixup': {
    name: 'Manifold Mixup',
    about:
      'Verma et al. (ICML 2019): each batch mixes the inputs or the hidden state after the first or second stage, ' +
      'drawn at random, with the labels by the same λ',
    mixes: 'hidden states',
    alpha: 2,
    options: { layers: [0, 1, 2] },
    reference: { layers: [0, 1, 2] },
    paper: null,
  },
} satisfies Record<string, Method>;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** The entry named `name`, or an error naming the methods there are. */
export function method(name: string): Method {
  const m = (METHODS as Record<string, Method>)[name];
  if (!m) throw new Error(`unknown method '${name}': use one of ${METHOD_NAMES.join(', ')} (lib/methods)`);
  return m;
}

/** The α a method trains with in a protocol whose mixup α is `protocolAlpha`. */
export function methodAlpha(m: Method, protocolAlpha: number): number {
  return m.alpha === 'protocol' ? protocolAlpha : m.alpha;
}

/** Its row label at α: "ERM", "mixup α = 1". */
export function methodLabel(m: Method, alpha: number): string {
  return m.mixes === 'nothing' ? m.name : `${m.name} α = ${alpha}`;
}

/** The layers a run's or a reference run's mixing used, as one comparable form ([0]: the inputs). */
export function sameLayers(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return (a ?? [0]).join() === (b ?? [0]).join();
}
