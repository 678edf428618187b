/**
 * A training worker (started by lib/cluster/pool, or by a queue worker: lib/cluster/runner): receives jobs over IPC
 * one at a time, trains each into the run cache exactly as the notebook process would (`trainSpec`), holding one of the
 * run cache's training slots (lib/runs/slots) while it trains, and reports steps, epochs and the end. It exits when its parent
 * disconnects — also when the parent dies, so no orphan keeps writing a run a rerun is about to resume.
 * `{ stop: true }` asks it to stop after the epoch in progress has been checkpointed (a queue worker shutting down).
 */
import { useBackend, BackendChoice } from '../backend';
import type { RunJob } from '../experiments/jobs';
import { trainSpec } from '../experiments/jobs';
import { computeResult, isResultJob } from '../experiments/result-jobs';
import { STOPPED, WorkerMessage, WorkerRequest } from './protocol';
import { claimSlot } from '../runs/slots';

const send = (m: WorkerMessage) => process.send!(m);
let stopAsked = false;
const slots = Number(process.env.MIXUP_TRAINING_SLOTS ?? 0);

async function handle(job: RunJob, takeover: boolean): Promise<void> {
  useBackend(process.env.MIXUP_BACKEND as BackendChoice);
  if (isResultJob(job)) {
    // A result has no epochs to checkpoint: a stop asked for waits for its end.
    await computeResult(job, { onStep: (info) => send({ type: 'step', info }) });
    return;
  }
  const run = await trainSpec(
    job,
    {
      onStep: (info) => send({ type: 'step', info }),
      onEpoch: (record) => {
        send({ type: 'epoch', record });
        // onEpoch comes after the epoch's checkpoint: stopping here loses nothing.
        if (stopAsked) throw new Error(STOPPED);
      },
      // A pool's worker trains only while fewer than the pool's worker count of runs train from this run cache on this
      // machine, whichever pool started them; a job whose run another process is training, or that is cached, takes no
      // slot. A queue worker's children have none: the queue worker's concurrency is their cap.
      beforeTraining: slots ? () => claimSlot(slots) : undefined,
    },
    { takeover },
  );
  run.model.dispose();
}

if (!process.send) {
  console.error('lib/cluster/worker is started by lib/cluster/pool (trainRuns), not by hand');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));
process.on('message', (m: WorkerRequest) => {
  if ('stop' in m) {
    stopAsked = true;
    return;
  }
  handle(m.job, m.takeover === true).then(
    () => send({ type: 'done' }),
    (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
  );
});
