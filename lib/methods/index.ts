/**
 * The mixing methods, one entry each: what a method is, in one place. Jobs build a method's runs from its entry,
 * findings and tables label and compare them by it, and the reference lookup matches the reference's runs of that very
 * method (a method the reference never ran reads "not run": it never borrows another method's runs). After timm's
 * `data/mixup.py` (modes as data) and openmixup (a method is a config entry).
 *
 * Adding a method: its entry here, its mixing op in lib/mixup.ts if it is new, and a test.
 */
import { DEFAULT_NEIGHBOURS } from '../data/partners';
import type { MixupOptions } from '../mixup';

/** The ablation's label smoothing ε (Szegedy et al.'s value) and Gaussian input noise σ (pixel units of [0, 1] images). */
export const ABLATION_LABEL_SMOOTHING = 0.1;
export const ABLATION_INPUT_NOISE = 0.05;

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
  /**
   * The paper's key for this method's rows (lib/reference/paper: cifar10PreActErr, corrupted, uci), or null where the
   * paper has none.
   */
  paper: 'erm' | 'mixup' | 'ermDropout' | 'mixupDropout' | null;
  /** Dropout on the pooled features, at the drop probability the protocol gives this method (notebook 3's rows). */
  dropout?: true;
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
    about: 'random pairs from the batch, inputs and labels mixed (the paper)',
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
  // The paper's ablation (section 3.8, notebook 8): which part of mixup matters.
  'mixup, within-class pairs': {
    name: 'mixup, within-class pairs',
    about: 'partner of the same class ("AC"): labels are then not mixed at all',
    mixes: 'inputs',
    alpha: 'protocol',
    options: { pairing: 'within-class' },
    reference: null,
    paper: null,
  },
  'mixup, nearest-neighbour pairs': {
    name: 'mixup, nearest-neighbour pairs',
    about: `partner among the ${DEFAULT_NEIGHBOURS} nearest training images in pixel space ("KNN")`,
    mixes: 'inputs',
    alpha: 'protocol',
    options: { pairing: 'nearest' },
    reference: null,
    paper: null,
  },
  'mix inputs only': {
    name: 'mix inputs only',
    about: 'inputs mixed, the label of whichever image weighs more',
    mixes: 'inputs',
    alpha: 'protocol',
    options: { targets: 'dominant' },
    reference: null,
    paper: null,
  },
  'label smoothing': {
    name: 'label smoothing',
    about: `no mixing, targets (1 − ε)·y + ε/10 with ε = ${ABLATION_LABEL_SMOOTHING}`,
    mixes: 'nothing',
    alpha: 0,
    options: { labelSmoothing: ABLATION_LABEL_SMOOTHING },
    reference: null,
    paper: null,
  },
  'mix inputs + label smoothing': {
    name: 'mix inputs + label smoothing',
    about: "inputs mixed, the heavier image's label smoothed",
    mixes: 'inputs',
    alpha: 'protocol',
    options: { targets: 'dominant', labelSmoothing: ABLATION_LABEL_SMOOTHING },
    reference: null,
    paper: null,
  },
  'Gaussian input noise': {
    name: 'Gaussian input noise',
    about: `no mixing, N(0, ${ABLATION_INPUT_NOISE}²) added to every pixel`,
    mixes: 'nothing',
    alpha: 0,
    options: { inputNoise: ABLATION_INPUT_NOISE },
    reference: null,
    paper: null,
  },
  // The paper's dropout rows under label noise (section 3.4, notebook 3); the reference trains no dropout.
  'ERM + dropout': {
    name: 'ERM + dropout',
    about: 'no mixing, dropout on the pooled features',
    mixes: 'nothing',
    alpha: 0,
    options: {},
    reference: null,
    paper: 'ermDropout',
    dropout: true,
  },
  'mixup + dropout': {
    name: 'mixup + dropout',
    about: 'mixup with dropout on the pooled features',
    mixes: 'inputs',
    alpha: 'protocol',
    options: {},
    reference: null,
    paper: 'mixupDropout',
    dropout: true,
  },
} satisfies Record<string, Method>;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** The paper's comparison, a notebook's default: ERM against mixup. */
export const PAPER_METHODS = ['ERM', 'mixup'] as const satisfies readonly MethodName[];

/** The paper's method at α, for runs named by their α alone (speech, the timing records): ERM at 0, else mixup. */
export const paperMethodAt = (alpha: number): Method => (alpha === 0 ? METHODS.ERM : METHODS.mixup);

/** A run's row label from its α alone: "ERM", "mixup α = 1". */
export const paperLabel = (alpha: number): string => methodLabel(paperMethodAt(alpha), alpha);

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
