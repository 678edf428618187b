/**
 * A CIFAR job's one schema, checked wherever a job crosses a process or machine boundary: the queue worker checks
 * every payload before any trainer starts, and the submitter checks what it sends. Written with zod (types, bounds and
 * per-field messages in one declaration, the most used TypeScript validator; valibot's smaller bundle does not matter
 * in Node, and ajv would need the types written twice, as JSON Schema and as TypeScript).
 * The bounds are wide (the paper profile fits with room) but finite: a job cannot ask for a billion epochs.
 */
import { z } from 'zod';
import { PAIRINGS } from '../data/partners';
import { MIX_MODES, TARGET_RULES } from '../mixup';
import type { RunJob } from './jobs';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const real = (min: number, max: number) => z.number().min(min).max(max);

/** A protocol's parameters; other notebooks' keys may ride along (a job's params are its notebook's), unread. */
const params = z.looseObject({
  seeds: z
    .array(int(0, 2 ** 31 - 1))
    .min(1)
    .max(1000),
  trainLimit: int(1, 50_000),
  testLimit: int(1, 10_000),
  width: int(1, 256),
  epochs: int(1, 2000),
  batchSize: int(2, 50_000),
  alpha: real(0, 1000),
  evalEvery: int(1, 2000),
});

const variant = z.strictObject({
  mixup: z
    .strictObject({
      mode: z.enum(MIX_MODES as [string, ...string[]]).optional(),
      pairing: z.enum(PAIRINGS as unknown as [string, ...string[]]).optional(),
      targets: z.enum(TARGET_RULES as [string, ...string[]]).optional(),
      labelSmoothing: z.number().min(0).lt(1).optional(),
      inputNoise: real(0, 100).optional(),
    })
    .optional(),
  weightDecay: real(0, 1).optional(),
  dropout: z.number().min(0).lt(1).optional(),
});

const common = {
  alpha: real(0, 1000),
  seed: int(0, 2 ** 31 - 1),
  variant: variant.optional(),
};

export const RUN_JOB = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cifar'), params, ...common }),
  z.strictObject({
    kind: z.literal('corrupted'),
    params: params.extend({ probe: int(0, 50_000) }),
    noise: real(0, 1),
    ...common,
  }),
]);

/** The first problem of a failed parse, as "field: what is wrong" ("params.epochs: Too big: expected …"). */
export function firstIssue(error: z.ZodError, root = ''): string {
  const i = error.issues[0];
  const where = [root, ...i.path.map(String)].filter(Boolean).join('.');
  return `${where || '(the payload)'}: ${i.message}`;
}

/** `value` as a RunJob, or an error naming the field that is wrong. */
export function checkRunJob(value: unknown, what = 'job'): RunJob {
  const r = RUN_JOB.safeParse(value);
  if (!r.success) throw new Error(`${what} is not a valid run: ${firstIssue(r.error)}`);
  return r.data as RunJob;
}
