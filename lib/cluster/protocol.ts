/** What the processes that train runs say to each other: requests to a worker child, and its messages back. */
import type { RunJob } from '../experiments/jobs';
import type { EpochRecord, StepInfo } from '../train/loop';

/** What a worker child sends back; see worker.ts. */
export type WorkerMessage =
  | { type: 'step'; info: StepInfo }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** What a worker child is sent: a run (`takeover`: the queue gave it this run; lib/runs/lock), or a request to stop. */
export type WorkerRequest = { job: RunJob; takeover?: boolean } | { stop: true };

/** A worker child's error when it stopped after a checkpoint as asked: the run resumes there, wherever it is taken up next. */
export const STOPPED = 'stopped after its last checkpoint, as asked';
