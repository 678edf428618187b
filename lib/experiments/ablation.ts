/**
 * The paper's ablation (section 3.8) as data: which part of mixup matters — interpolating labels as well as inputs,
 * mixing random pairs rather than same-class or neighbouring ones — against label smoothing and input noise, each at
 * the two weight decays of the paper. Every variant is an entry of lib/methods trained as the same CIFAR run
 * (lib/experiments/cifar), so ERM and mixup at weight decay 1e-4 are the very runs notebook 2 caches.
 *
 * Our choices where the facts file is silent, stated in notebook 8: label smoothing ε = 0.1 (Szegedy et al.'s value),
 * Gaussian input noise σ = 0.05 in pixel units ([0, 1] images), "inputs only" keeps the one-hot label of whichever
 * example weighs more (λ ≥ ½: its own), and "mix inputs + label smoothing" smooths that label.
 */
import { method, Method, MethodName, methodAlpha, PAPER_METHODS } from '../methods';
import { CIFAR_DEFAULTS, CifarParams } from './cifar';
import { cifarJob } from './jobs';
import type { RunSpec } from '../runs/cache';
import { Defaults, profileTable } from './profiles';

export const ABLATION_WEIGHT_DECAYS = [1e-4, 5e-4];

/** The variants compared, in the table's order: lib/methods' entries, each at the protocol's α where it mixes. */
export const ABLATION_METHODS: readonly MethodName[] = [
  ...PAPER_METHODS,
  'mixup, within-class pairs',
  'mixup, nearest-neighbour pairs',
  'mix inputs only',
  'label smoothing',
  'mix inputs + label smoothing',
  'Gaussian input noise',
];
export const ABLATION_VARIANTS: readonly Method[] = ABLATION_METHODS.map(method);

/**
 * The CIFAR protocol per profile. smoke: seconds, for tests; quick and lowdata: the quick CIFAR notebooks' protocol
 * (1,000 images, width 8, 240 epochs), where the PyTorch
 * reference separates ERM from mixup (results/reference/quick-candidates.jsonl) — the cheapest protocol
 * that ranks the variants at all (a few epochs of a larger set ranked label smoothing first and mixup fifth: noise).
 * ERM and mixup at 10⁻⁴ are notebook 2's quick runs. Not the CIFAR notebooks' lowdata protocol (2,500 images, width
 * 16: its 16 runs would take several times as long). Quick asks the lower decay only: one seed at the higher ranks the
 * mixing variants in another order (their gaps sit inside ERM's seed spread at this protocol: docs/results.md's
 * ablation table), a second column of noise; lowdata, on the same protocol, asks both.
 */
export const ABLATION_DEFAULTS: Defaults<CifarParams & { weightDecays: number[] }> = {
  base: { ...CIFAR_DEFAULTS.base, weightDecays: [ABLATION_WEIGHT_DECAYS[0]] },
  profiles: {
    smoke: { ...CIFAR_DEFAULTS.profiles.smoke, weightDecays: ABLATION_WEIGHT_DECAYS },
    lowdata: { weightDecays: ABLATION_WEIGHT_DECAYS },
    paper: { ...CIFAR_DEFAULTS.profiles.paper, weightDecays: ABLATION_WEIGHT_DECAYS },
  },
};
export const ABLATION_PROFILES = profileTable(ABLATION_DEFAULTS);

/** The same run as a job for the worker pool (lib/cluster/pool). */
export function ablationJob(p: CifarParams, v: Method, weightDecay: number, seed: number): RunSpec {
  return cifarJob(p, methodAlpha(v, p.alpha), seed, { mixup: v.options, weightDecay });
}

/** The authors' published rows (hongyi-zhang/mixup README): median test error % of the last 10 of 200 epochs, full CIFAR-10. */
export const AUTHORS_ABLATION: Record<string, Record<string, number>> = {
  ERM: { '0.0001': 5.53, '0.0005': 5.18 },
  mixup: { '0.0001': 4.24, '0.0005': 4.68 },
};
