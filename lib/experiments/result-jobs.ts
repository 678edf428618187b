/**
 * Jobs whose product is a result, not weights: a GAN run's measures (notebook 7) and an attack sweep on trained models
 * (notebook 5). A result job is `{ kind, spec }`, cached by the run cache's `cachedResult` under the key of the whole job,
 * so the pool, the queue and a worker take it as they take a run spec, and a notebook reads it back from the cache.
 * Each kind says how to compute it, its schema, the data its numbers depend on (for a worker's fingerprint), its label
 * and its cost.
 */
import { z } from 'zod';
import { attackErrors } from '../attacks/fgsm';
import { dataSet } from '../data/sets';
import { MODE_SETS } from '../data/modes2d';
import { GanConfig, trainGan } from '../gan/train';
import type { Model } from '../models';
import { cachedResult, CachedResult, finishedRun, RunSpec } from '../runs/cache';
import { METHODS } from '../methods';
import type { StepInfo } from '../train/loop';

export interface ResultJob {
  kind: string;
  spec: Record<string, unknown>;
}

export interface ResultKind {
  schema: z.ZodType;
  label(spec: Record<string, unknown>): string;
  compute(spec: Record<string, unknown>, onStep?: (s: StepInfo) => void): Promise<unknown>;
  /** The data whose checksums a worker must share (lib/data/sets), or null: the job generates its own. */
  data(spec: Record<string, unknown>): Record<string, unknown> | null;
  /** Seconds of one worker, about. */
  cost(spec: Record<string, unknown>): number;
  /** Its size in a run's units, examples × width² × passes (lib/experiments/cost's jobWork): what a worker bounds. */
  work(spec: Record<string, unknown>): number;
  /** The runs it reads, which must be in the run cache first. */
  needs(spec: Record<string, unknown>): RunSpec[];
}

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const real = (min: number, max: number) => z.number().min(min).max(max);
const iterationList = z.array(int(1, 1_000_000)).max(1000);

const GAN_CONFIG = z.strictObject({
  data: z.enum(MODE_SETS as unknown as [string, ...string[]]),
  std: real(0, 10),
  latent: int(1, 1024),
  hidden: int(1, 4096),
  layers: int(1, 16),
  batchSize: int(1, 100_000),
  dSteps: int(1, 100),
  iterations: int(1, 1_000_000),
  lrD: z.number().gt(0).max(10),
  lrG: z.number().gt(0).max(10),
  mixup: real(0, 1),
  seed: int(0, 2 ** 31 - 1),
  measureAt: iterationList,
  keepPointsAt: iterationList,
  measure: z.strictObject({ samples: int(1, 1_000_000), radius: z.number().gt(0).max(100), minShare: real(0, 1) }),
});

const gan: ResultKind = {
  schema: GAN_CONFIG,
  label: (s) => `GAN on the ${String(s.data)}, mixup ${String(s.mixup)}, seed ${String(s.seed)}`,
  compute: (s, onStep) => {
    const c = s as unknown as GanConfig;
    return trainGan(c, (p) =>
      onStep?.({
        epoch: 0,
        epochs: 1,
        step: p.iteration,
        steps: p.iterations,
        loss: p.dLoss,
        imgPerSec: 0,
        elapsedSeconds: p.elapsedSeconds,
        etaSeconds: p.etaSeconds,
      }),
    );
  },
  data: () => null,
  needs: () => [],
  // Seconds per unit of work of the quick profile's runs (notebook 7 on a 2-core machine): an estimate for ordering.
  cost: (s) => {
    const c = s as unknown as GanConfig;
    return 8e-9 * c.iterations * (c.dSteps + 1) * c.batchSize * c.hidden * c.hidden * c.layers;
  },
  // Points drawn through its nets; a hidden size of 64 counts as width 1, per layer.
  work: (s) => {
    const c = s as unknown as GanConfig;
    return c.iterations * (c.dSteps + 1) * c.batchSize * (c.hidden / 64) ** 2 * c.layers;
  },
};

/** The three models an attack sweep reads: attacked (ERM, mixup) and a second ERM (the black-box source's target). */
export const ATTACK_ROLES = [METHODS.ERM.name, `${METHODS.ERM.name} #2`, METHODS.mixup.name] as const;

export interface AttackSpec {
  /** The seed the three models stand for. */
  seed: number;
  models: Record<(typeof ATTACK_ROLES)[number], RunSpec>;
  attack: 'FGSM' | 'I-FGSM';
  /** ε in units of 1/255. */
  epsilons: number[];
  iterations: number;
  /** Test images attacked: the first `limit` of the models' test set. */
  limit: number;
}

/** One error rate under attack, in percent; `seed` is the seed the models stand for, `eps` ε in units of 1/255. */
export interface AttackScore {
  attack: 'FGSM' | 'I-FGSM';
  mode: 'white-box' | 'black-box';
  /** The attacked model's method. */
  target: string;
  eps: number;
  error: number;
  seed: number;
}

const attacks: ResultKind = {
  // The models' specs are checked where the spec schema is (lib/experiments/job-schema), not here: a looser object.
  schema: z.strictObject({
    seed: int(0, 2 ** 31 - 1),
    models: z.strictObject({ ERM: z.looseObject({}), 'ERM #2': z.looseObject({}), mixup: z.looseObject({}) }),
    attack: z.enum(['FGSM', 'I-FGSM']),
    epsilons: z.array(real(0, 255)).min(1).max(64),
    iterations: int(1, 1000),
    limit: int(1, 50_000),
  }),
  label: (s) => `${String(s.attack)} on the models of seed ${String(s.seed)}`,
  async compute(s) {
    const a = s as unknown as AttackSpec;
    const models = {} as Record<(typeof ATTACK_ROLES)[number], Model>;
    try {
      for (const role of ATTACK_ROLES) {
        const run = finishedRun(a.models[role]);
        if (!run)
          throw new Error(
            `the ${role} model of seed ${a.seed} is not in the run cache: train the models before attacking them (the report's pool does)`,
          );
        models[role] = run.model;
      }
      const test = (await dataSet(a.models.ERM.data).load(a.models.ERM.data, a.models.ERM.train.seed)).test;
      const eps = a.epsilons.map((e) => e / 255);
      const o = { iterations: a.iterations, limit: a.limit };
      const { ERM: erm, 'ERM #2': erm2, mixup: mix } = models;
      const rows = [
        ...[...attackErrors(erm, { ERM: erm }, test, eps, o), ...attackErrors(mix, { mixup: mix }, test, eps, o)].map(
          (r) => ({ ...r, mode: 'white-box' as const }),
        ),
        ...attackErrors(erm, { ERM: erm2, mixup: mix }, test, eps, o).map((r) => ({
          ...r,
          mode: 'black-box' as const,
        })),
      ];
      return rows.map((r): AttackScore => ({
        attack: a.attack,
        mode: r.mode,
        target: r.target,
        eps: Math.round(r.epsilon * 255),
        error: 100 * r.error,
        seed: a.seed,
      }));
    } finally {
      for (const m of Object.values(models)) m.dispose();
    }
  },
  data: (s) => (s as unknown as AttackSpec).models.ERM.data,
  needs: (s) => Object.values((s as unknown as AttackSpec).models),
  // Gradient passes × width, scaled to the quick profile's recorded sweeps (results/quick/timings.json): for ordering.
  cost: (s) => {
    const a = s as unknown as AttackSpec;
    const width = (a.models.ERM.model as { width?: number }).width ?? 8;
    return 4.7e-4 * a.limit * a.epsilons.length * a.iterations * width;
  },
  // Test images through three models, once per ε and step.
  work: (s) => {
    const a = s as unknown as AttackSpec;
    const width = (a.models.ERM.model as { width?: number }).width ?? 8;
    return 3 * a.limit * a.epsilons.length * a.iterations * width * width;
  },
};

export const RESULT_KINDS: Readonly<Record<string, ResultKind>> = { 'gan-2d': gan, attacks };

/** Whether a job is a result job (`{ kind, spec }`) rather than a run spec (`{ data, model, train }`). */
export function isResultJob(job: object): job is ResultJob {
  return 'kind' in job && 'spec' in job && !('model' in job);
}

export function resultKind(job: ResultJob): ResultKind {
  const k = RESULT_KINDS[job.kind];
  if (!k)
    throw new Error(
      `unknown result job kind ${JSON.stringify(job.kind)}: one of ${Object.keys(RESULT_KINDS).join(', ')}`,
    );
  return k;
}

/** Computes the job in this process, or reads it from the run cache when it was computed before. */
export function computeResult<R>(
  job: ResultJob,
  callbacks: {
    onStep?: (s: StepInfo) => void;
    onCached?: (info: { finishedAt: string; seconds: number }) => void;
  } = {},
): Promise<CachedResult<R>> {
  const kind = resultKind(job);
  return cachedResult(
    job.kind,
    job.spec,
    () => kind.compute(job.spec, callbacks.onStep) as Promise<R>,
    callbacks.onCached,
  );
}
