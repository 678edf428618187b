/**
 * A run spec's one schema, checked wherever a run crosses a process or machine boundary: the queue worker checks every
 * payload before any trainer starts, and the submitter checks what it sends. The data part is the schema of the set it
 * names (lib/data/sets); the model and the training recipe are checked here. Written with zod (types, bounds and
 * per-field messages in one declaration, the most used TypeScript validator; valibot's smaller bundle does not matter
 * in Node, and ajv would need the types written twice, as JSON Schema and as TypeScript).
 * The bounds are wide (the paper profile fits with room) but finite: a run cannot ask for a billion epochs.
 */
import { z } from 'zod';
import { PAIRINGS } from '../data/partners';
import { DATA_SETS, dataSet } from '../data/sets';
import { MIX_MODES, TARGET_RULES } from '../mixup';
import type { RunSpec } from '../runs/cache';
import type { RunJob } from './jobs';
import { isResultJob, RESULT_KINDS } from './result-jobs';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const real = (min: number, max: number) => z.number().min(min).max(max);
const classes = int(2, 1000);
const shape = z.array(int(1, 4096)).min(1).max(4);

const model = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('preact-resnet18'),
    width: int(1, 256),
    numClasses: classes,
    dropout: z.number().min(0).lt(1).optional(),
  }),
  z.strictObject({ kind: z.literal('resnet18'), width: int(1, 256), numClasses: classes }),
  z.strictObject({
    kind: z.literal('mlp'),
    inputs: int(1, 100_000),
    hidden: z.array(int(1, 8192)).max(16),
    numClasses: classes,
  }),
  z.strictObject({ kind: z.literal('lenet'), input: shape, numClasses: classes }),
  z.strictObject({ kind: z.literal('vgg'), input: shape, width: int(1, 512), numClasses: classes }),
]);

const optimizer = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sgd'),
    lr: z.number().gt(0).max(100),
    momentum: real(0, 1),
    weightDecay: real(0, 1),
    milestones: z.array(int(0, 2000)).max(100),
    gamma: z.number().gt(0).max(1),
  }),
  z.strictObject({ kind: z.literal('adam'), lr: z.number().gt(0).max(100), weightDecay: real(0, 1).optional() }),
]);

const train = z.strictObject({
  epochs: int(1, 2000),
  batchSize: int(1, 50_000),
  optimizer,
  mixup: z.strictObject({
    alpha: real(0, 1000),
    mode: z.enum(MIX_MODES as [string, ...string[]]).optional(),
    pairing: z.enum(PAIRINGS as unknown as [string, ...string[]]).optional(),
    targets: z.enum(TARGET_RULES as [string, ...string[]]).optional(),
    labelSmoothing: z.number().min(0).lt(1).optional(),
    inputNoise: real(0, 100).optional(),
    layers: z.array(int(0, 16)).min(1).max(17).optional(),
  }),
  seed: int(0, 2 ** 31 - 1),
  augment: z.boolean().optional(),
  evalBatchSize: int(1, 50_000).optional(),
  evalEvery: int(1, 2000).optional(),
});

export const RUN_SPEC = z.strictObject({
  data: z.looseObject({ set: z.enum(Object.keys(DATA_SETS) as [string, ...string[]]) }),
  model,
  train,
});

/** The first problem of a failed parse, as "field: what is wrong" ("spec.train.epochs: Too big: expected …"). */
export function firstIssue(error: z.ZodError, root = ''): string {
  const i = error.issues[0];
  const where = [root, ...i.path.map(String)].filter(Boolean).join('.');
  return `${where || '(the payload)'}: ${i.message}`;
}

/** The zod schema of a run spec whose data is checked by its own set's schema. */
export const CHECKED_SPEC = RUN_SPEC.superRefine((spec, ctx) => {
  const r = dataSet(spec.data).schema.safeParse(spec.data);
  if (!r.success)
    for (const i of r.error.issues) ctx.addIssue({ ...i, path: ['data', ...i.path] } as z.core.$ZodRawIssue);
});

/** A result job: a known kind, its spec by the kind's schema, and any run spec inside it (an attack's models) checked too. */
const RESULT_JOB = z
  .strictObject({ kind: z.enum(Object.keys(RESULT_KINDS) as [string, ...string[]]), spec: z.looseObject({}) })
  .superRefine((job, ctx) => {
    const kind = RESULT_KINDS[job.kind];
    const r = kind.schema.safeParse(job.spec);
    if (!r.success) {
      for (const i of r.error.issues) ctx.addIssue({ ...i, path: ['spec', ...i.path] } as z.core.$ZodRawIssue);
      return;
    }
    const models = (job.spec.models ?? {}) as Record<string, unknown>;
    for (const [role, spec] of Object.entries(models)) {
      const m = CHECKED_SPEC.safeParse(spec);
      if (!m.success)
        for (const i of m.error.issues)
          ctx.addIssue({ ...i, path: ['spec', 'models', role, ...i.path] } as z.core.$ZodRawIssue);
    }
  });

/** Any job the pool takes: a result job when it has a kind and a spec and no model, else a run spec. */
export const CHECKED_JOB = z.unknown().transform((value, ctx) => {
  const schema = value && typeof value === 'object' && isResultJob(value) ? RESULT_JOB : CHECKED_SPEC;
  const r = schema.safeParse(value);
  if (r.success) return r.data as RunJob;
  for (const i of r.error.issues) ctx.addIssue(i as z.core.$ZodRawIssue);
  return z.NEVER;
});

/** `value` as a job the pool takes, or an error naming the field that is wrong. */
export function checkJob(value: unknown, what = 'job', root = ''): RunJob {
  const r = CHECKED_JOB.safeParse(value);
  if (!r.success) throw new Error(`${what} is not a valid job: ${firstIssue(r.error, root)}`);
  return r.data;
}

/** `value` as a RunSpec, or an error naming the field that is wrong (`root`: where the spec sits in a payload). */
export function checkRunSpec(value: unknown, what = 'run', root = ''): RunSpec {
  const r = CHECKED_SPEC.safeParse(value);
  if (!r.success) throw new Error(`${what} is not a valid run: ${firstIssue(r.error, root)}`);
  return r.data as RunSpec;
}
