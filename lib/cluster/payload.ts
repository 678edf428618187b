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

/** `data` as a QueuedRun, or an Error whose message names the job (`id`) and the field that is wrong. */
export function checkQueuedRun(data: unknown, id: string): QueuedRun {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(data) ?? '');
  } catch {
    throw new Error(`job ${id}: its payload is not JSON`);
  }
  if (bytes > MAX_PAYLOAD_BYTES)
    throw new Error(
      `job ${id}: its payload has ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES} a run's payload may have`,
    );
  const r = QUEUED_RUN.safeParse(data);
  if (!r.success) throw new Error(`job ${id}: ${firstIssue(r.error)}`);
  return r.data as QueuedRun;
}
