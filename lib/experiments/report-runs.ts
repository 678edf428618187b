/**
 * The parameters and runs of the CIFAR notebooks 2, 3, 5 and 8, as data: their experiments (lib/lab) call these, and so
 * does the report's list of every run (lib/lab/report), so the two can never disagree.
 */
import { ABLATION_VARIANTS, ablationJob } from './ablation';
import { CIFAR_DEFAULTS, CIFAR_PROFILES, CifarParams } from './cifar';
import { cifarJob, corruptedJob, methodRuns, Wanted, WantedRun } from './jobs';
import { Defaults, profileTable, Resolved } from './profiles';
import { ATTACK_ROLES } from './result-jobs';
import { method, Method, MethodName, methodAlpha, METHOD_NAMES, METHODS, PAPER_METHODS } from '../methods';

export type { Wanted, WantedRun };

/** Notebook 2's parameters: a CIFAR protocol and the methods it compares (lib/methods; ERM and mixup by default). */
export interface CifarComparisonParams extends CifarParams {
  methods: MethodName[];
}

/** Notebook 2: the CIFAR protocol; quick adds Manifold Mixup, whose runs are published beside the reference's. */
export const CIFAR_COMPARISON_DEFAULTS: Defaults<CifarComparisonParams> = {
  base: { ...CIFAR_DEFAULTS.base, methods: [...PAPER_METHODS] },
  profiles: { ...CIFAR_DEFAULTS.profiles, quick: { methods: [...PAPER_METHODS, 'Manifold Mixup'] } },
  // The dropout rows need a drop probability, which only notebook 3's protocol gives.
  choices: { methods: METHOD_NAMES.filter((m) => !(METHODS[m] as Method).dropout) },
};
export const CIFAR_COMPARISON_PROFILES = profileTable(CIFAR_COMPARISON_DEFAULTS);

/** Notebook 2: each method's run per seed (ERM and mixup unless the parameters cell names others). */
export function cifarRuns(P: Resolved<CifarComparisonParams>): WantedRun[] {
  return methodRuns(
    P.seeds,
    P.alpha,
    (alpha, seed, options) => cifarJob(P, alpha, seed, Object.keys(options).length ? { mixup: options } : undefined),
    '',
    P.methods,
  );
}

/** Notebook 3's protocol: a CIFAR protocol with the redrawn and untouched training images scored per epoch. */
export type CorruptedProtocol = CifarParams & { probe: number };

export interface CorruptedParams extends CorruptedProtocol {
  /** Label-noise levels; mixup's α under noise. */
  noise: number[];
  /** The noise levels with the paper's dropout rows. */
  dropoutAt: number[];
  /** ERM + dropout's drop probability (the paper's pick at 50 % noise, 0.8) and mixup + dropout's α and p (ours, untuned). */
  dropout: { ermP: number; mixupAlpha: number; mixupP: number };
  /** The protocol the dropout rows train on, beside an ERM and a mixup run of it; null: this profile's own. */
  dropoutOn: CorruptedProtocol | null;
}

const DROPOUT = { ermP: 0.8, mixupAlpha: 8, mixupP: 0.5 };

/**
 * Notebook 3. smoke puts its dropout rows on a smaller protocol so that the test suite runs that path too.
 * 50 % noise only in quick and lowdata: each further level adds two runs. lowdata has its dropout rows on request
 * (MIXUP_PARAMS='{"dropoutAt": [0.5]}'), on the quick protocol ('"dropoutOn": null' puts them on lowdata's), to keep
 * the lowdata report's time; the quick profile has them.
 */
export const CORRUPTED_DEFAULTS: Defaults<CorruptedParams> = {
  base: {
    ...CIFAR_DEFAULTS.base,
    noise: [0.5],
    alpha: 8,
    probe: 500,
    dropoutAt: [0.5],
    dropout: DROPOUT,
    dropoutOn: null,
  },
  profiles: {
    smoke: {
      ...CIFAR_DEFAULTS.profiles.smoke,
      probe: 100,
      dropoutOn: { ...CIFAR_PROFILES.smoke, trainLimit: 128, probe: 50 },
    },
    lowdata: {
      ...CIFAR_DEFAULTS.profiles.lowdata,
      probe: 2500,
      dropoutAt: [],
      dropoutOn: { ...CIFAR_PROFILES.quick, probe: 500 },
    },
    paper: { ...CIFAR_DEFAULTS.profiles.paper, noise: [0.2, 0.5, 0.8], probe: 2000, dropoutAt: [0.2, 0.5, 0.8] },
  },
};
export const CORRUPTED_PROFILES = profileTable(CORRUPTED_DEFAULTS);

/** A row of notebook 3: its method (lib/methods), the α it trains at here, and its drop probability, if any. */
export interface CorruptedMethod {
  method: string;
  entry: Method;
  alpha: number;
  dropout?: number;
}

/** "2,500 images, width 16, 240 epochs". */
export const protocolName = (q: CifarParams) =>
  `${q.trainLimit.toLocaleString('en')} images, width ${q.width}, ${q.epochs} epoch${q.epochs === 1 ? '' : 's'}`;

/**
 * Notebook 3's groups of runs compared: ERM and mixup at each noise level of this protocol, and the dropout rows beside
 * an ERM and a mixup run of their own protocol (or sharing this one's).
 */
export function corruptedGroups(P: Resolved<CorruptedParams>) {
  const row = (name: MethodName, alpha: number, dropout?: number): CorruptedMethod => {
    const entry = method(name);
    return { method: entry.name, entry, alpha: methodAlpha(entry, alpha), ...(dropout ? { dropout } : {}) };
  };
  const plain = PAPER_METHODS.map((m) => row(m, P.alpha));
  const withDropout = [
    row('ERM + dropout', P.dropout.mixupAlpha, P.dropout.ermP),
    row('mixup + dropout', P.dropout.mixupAlpha, P.dropout.mixupP),
  ];
  return [
    ...P.noise.map((noise) => ({
      protocol: P as CorruptedProtocol,
      noise,
      methods: [...plain, ...(!P.dropoutOn && P.dropoutAt.includes(noise) ? withDropout : [])],
    })),
    ...(P.dropoutOn
      ? P.dropoutAt.map((noise) => ({ protocol: P.dropoutOn!, noise, methods: [...plain, ...withDropout] }))
      : []),
  ].map((g) => ({ ...g, label: `${g.noise * 100}% noise · ${protocolName(g.protocol)}` }));
}

export type CorruptedGroup = ReturnType<typeof corruptedGroups>[number];

/** Notebook 3: every group × seed × method. */
export function corruptedRuns(
  P: Resolved<CorruptedParams>,
  groups: CorruptedGroup[] = corruptedGroups(P),
): (WantedRun & CorruptedMethod & { protocol: CorruptedProtocol; noise: number })[] {
  return groups.flatMap((group) =>
    P.seeds.flatMap((seed) =>
      group.methods.map((m) => ({
        ...m,
        group: group.label,
        protocol: group.protocol,
        noise: group.noise,
        seed,
        label: `${m.method}, ${group.label}, seed ${seed}`,
        job: corruptedJob(group.protocol, group.noise, m.alpha, seed, m.dropout ? { dropout: m.dropout } : undefined),
      })),
    ),
  );
}

export interface AdversarialParams extends CifarParams {
  epsilons: number[];
  iterations: number;
  /** Test images attacked by FGSM, and by I-FGSM (ten gradients per ε, so fewer). */
  attackLimit: number;
  iterativeLimit: number;
  /** The black-box source's seed is seed + secondErmSeed − 1. */
  secondErmSeed: number;
}

/** Notebook 5. */
export const ADVERSARIAL_DEFAULTS: Defaults<AdversarialParams> = {
  base: {
    ...CIFAR_DEFAULTS.base,
    epsilons: [1, 2, 4, 8],
    iterations: 10,
    attackLimit: 10000,
    iterativeLimit: 1000,
    secondErmSeed: 101,
  },
  profiles: {
    smoke: { ...CIFAR_DEFAULTS.profiles.smoke, epsilons: [1, 8], attackLimit: 100, iterativeLimit: 100 },
    lowdata: CIFAR_DEFAULTS.profiles.lowdata,
    paper: { ...CIFAR_DEFAULTS.profiles.paper, iterativeLimit: 10000 },
  },
};
export const ADVERSARIAL_PROFILES = profileTable(ADVERSARIAL_DEFAULTS);

/**
 * Notebook 5: per seed, its ERM, a second ERM (seed + secondErmSeed − 1: the black-box source) and its mixup model;
 * `seed` is the seed the three stand for, the group of the comparison.
 */
export function adversarialRuns(P: Resolved<AdversarialParams>): WantedRun[] {
  const second = (seed: number) => seed + P.secondErmSeed - 1;
  return P.seeds.flatMap((seed) =>
    (
      [
        [ATTACK_ROLES[0], cifarJob(P, 0, seed), seed],
        [ATTACK_ROLES[1], cifarJob(P, 0, second(seed)), second(seed)],
        [ATTACK_ROLES[2], cifarJob(P, P.alpha, seed), seed],
      ] as const
    ).map(([method, job, trainedSeed]) => ({
      method,
      group: `seed ${seed}`,
      seed,
      label: `${method}, seed ${trainedSeed}`,
      job,
    })),
  );
}

/** Notebook 8: every variant × weight decay × seed. */
export function ablationRuns(P: Resolved<CifarParams & { weightDecays: number[] }>) {
  return P.seeds.flatMap((seed) =>
    P.weightDecays.flatMap((weightDecay) =>
      ABLATION_VARIANTS.map((v) => ({
        v,
        method: v.name,
        group: `weight decay ${weightDecay}`,
        weightDecay,
        seed,
        label: `${v.name}, wd ${weightDecay}, seed ${seed}`,
        job: ablationJob(P, v, weightDecay, seed),
      })),
    ),
  );
}
