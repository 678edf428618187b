/**
 * What a queued job's payload must be before a worker trains it, and before a submitter sends it: a run spec as
 * lib/experiments/job-schema checks it, the fingerprint of the code that asked for it, and who asked. A payload that
 * is too big, malformed or out of bounds is refused with the job and the field named: the fingerprint catches other
 * code, this catches a hostile or broken payload.
 */
import { z } from 'zod';
import { CHECKED_JOB, firstIssue } from '../experiments/job-schema';
import type { QueuedRun } from './runner';

/** A run's payload is a few hundred bytes; anything near this is not one. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const hex16 = z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 hex digits');

export const QUEUED_RUN = z.strictObject({
  job: CHECKED_JOB,
  fingerprint: z.strictObject({ lib: hex16, data: hex16 }),
  submitter: z.string().min(1).max(255),
});

/** A job id as printed: quoted, so that an id holding terminal escapes or a newline cannot forge a line. */
export const quoteId = (id: unknown): string => JSON.stringify(String(id));

/**
 * How every job on the queue is retried and kept, whatever the job itself asks for: a worker applies these over the
 * job's own options (a job could ask for a thousand attempts, a long backoff, or to be kept failed for ever).
 */
export const QUEUE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 1000 },
  removeOnComplete: { age: 3600 },
  // A failed job stays a week for its reason to be read, then ages out.
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
} as const;

/** Why a payload of `bytes` bytes is refused before it is parsed, or null. */
export function payloadSizeProblem(bytes: number): string | null {
  return bytes > MAX_PAYLOAD_BYTES
    ? `its payload has ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES} a run's payload may have`
    : null;
}

export const NOT_JSON = 'its payload is not JSON';

/** `data` as a QueuedRun, or an Error whose message names the job (`id`) and the field that is wrong. */
export function checkQueuedRun(data: unknown, id: string): QueuedRun {
  let raw: string;
  try {
    raw = JSON.stringify(data) ?? '';
  } catch {
    throw new Error(`job ${quoteId(id)}: ${NOT_JSON}`);
  }
  const problem = payloadSizeProblem(Buffer.byteLength(raw));
  if (problem) throw new Error(`job ${quoteId(id)}: ${problem}`);
  const r = QUEUED_RUN.safeParse(data);
  if (!r.success) throw new Error(`job ${quoteId(id)}: ${firstIssue(r.error)}`);
  return r.data as QueuedRun;
}
