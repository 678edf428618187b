/**
 * A training worker (started by lib/experiments/pool): receives jobs over IPC one at a time, trains each into the run
 * cache exactly as the notebook process would (`runJob`), holding one of the run cache's training slots (./slots) while
 * it trains, and reports steps, epochs and the end. It exits when its parent disconnects — also when the parent dies,
 * so no orphan keeps writing a run a rerun is about to resume.
 */
import { useBackend, BackendChoice } from '../backend';
import type { RunJob } from './jobs';
import { jobData, runJob } from './jobs';
import type { WorkerMessage } from './pool';
import { claimSlot } from '../runs/slots';

const send = (m: WorkerMessage) => process.send!(m);
const dataOf = jobData();

async function handle(job: RunJob): Promise<void> {
  useBackend(process.env.MIXUP_BACKEND as BackendChoice);
  const data = await dataOf(job);
  const run = await runJob(job, data, {
    onStep: (info) => send({ type: 'step', info }),
    onEpoch: (record) => send({ type: 'epoch', record }),
    // Trains only while fewer than the pool's worker count of runs train from this run cache, whichever pool started
    // them; a job whose run another process is training, or that is cached, takes no slot.
    beforeTraining: () => claimSlot(Number(process.env.MIXUP_TRAINING_SLOTS)),
  });
  run.model.dispose();
}

if (!process.send) {
  console.error('lib/experiments/worker is started by lib/experiments/pool (trainRuns), not by hand');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { job: RunJob }) => {
  handle(m.job).then(
    () => send({ type: 'done' }),
    (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
  );
});
