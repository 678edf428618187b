/**
 * The one import of a notebook, after checking the compiled code is current: the experiment contract (lib/lab), the
 * parameters cell, and display and charts, by topic, and nothing else (a notebook that needs more asks lib for it
 * here). Every number it hands a notebook is in percent (docs/architecture.md).
 */
import * as findingsCalibration from '../findings/calibration';
import { assertFresh } from './fresh';
import { derived } from './stale';

assertFresh();

// The parameters cell and the backend.
export { params } from './params';
export { useBackend } from '../backend';

// Each notebook's experiment and the one way to run it: lab.run(lab.cifar, P) trains or loads the runs P asks for
// (through the run cache, the pool or the queue) and returns ours, the reference's and the comparison.
export { toy, cifar, corrupted, uci, adversarial, speech, gan, ablation } from '../lab';
export { run } from './run';
export { METHOD_NAMES, METHODS } from '../methods';
export type { MethodName } from '../methods';

// What a notebook shows beyond its comparison: the data, and further views of the same runs.
export { readUciFrame } from '../data/uci';
export { loadSpeech } from '../experiments/speech';
export { corruptedGroups } from '../experiments/report-runs';
export { ganSampleRows } from '../experiments/gan';
export { betweenRows } from '../findings/cifar';
// Further comparisons of the runs lab.run returned: they say they are stale when those runs are (./stale).
export const calibrationComparison = derived(findingsCalibration.calibrationComparison);
export const calibrationByGroup = derived(findingsCalibration.calibrationByGroup);
export { PAPER } from '../reference/paper';
export { plural } from '../findings/common';
export { fgsmSeedRows } from '../findings/adversarial';

// Charts and display.
export { heatmapRows, pointRows, spectrogramRows } from '../charts/rows';
export {
  decisionHeatmap,
  groupedBars,
  heatmap,
  learningCurves,
  lineChart,
  reliabilityDiagram,
  scatterPanels,
  seedStrip,
} from '../charts/specs';
export { showChart, showTable, showParams, showFinding, liveProgress } from './display';
