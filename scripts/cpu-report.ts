/**
 * `node dist/scripts/cpu-report.js`: one line naming the CPU and the instruction set oneDNN runs on it, printed at the
 * start of `npm test`, so that a failure report says which kind of machine it came from (lib/backend/cpu says why).
 */
import { cpuSummary } from '../lib/backend/cpu';

console.log(`cpu: ${cpuSummary()}`);
