/**
 * The one import of a notebook, after checking the compiled code is current: what the eight notebooks call, by topic,
 * and nothing else (a notebook that needs more asks lib for it here). Every number it hands a notebook is in percent
 * (docs/architecture.md).
 */
import { assertFresh } from './fresh';

assertFresh();

// Parameters and the backend: the parameters cell, and what trains.
export { params } from '../experiments/profiles';
export { useBackend } from '../backend';

// Data.
export { loadCifar10 } from '../data/cifar10';
export { readUciFrame } from '../data/uci';
export { loadSpeech } from '../experiments/speech';

// Train: each notebook's profiles and the runs it asks for (through the run cache, the pool or the queue).
export { TOY_PROFILES, toyRuns, toyResults } from '../experiments/toy';
export { CIFAR_PROFILES } from '../experiments/cifar';
export { METHOD_NAMES, METHODS } from '../methods';
export type { MethodName } from '../methods';
export {
  CIFAR_COMPARISON_PROFILES,
  cifarRuns,
  CORRUPTED_PROFILES,
  corruptedGroups,
  corruptedRuns,
  ADVERSARIAL_PROFILES,
  adversarialRuns,
  ablationRuns,
} from '../experiments/report-runs';
export { UCI_PROFILES, uciRuns, uciResults } from '../experiments/uci';
export { SPEECH_PROFILES, speechResults, speechRuns, speechSplits, splitName } from '../experiments/speech';
export { GAN_PROFILES, ganRuns, ganHistories, ganSampleRows } from '../experiments/gan';
export { ABLATION_PROFILES } from '../experiments/ablation';
export { computeWanted, trainWanted } from '../cluster/pool';

// Evaluate and attack.
export { inBetweenByMethod, BETWEEN_LAMBDAS } from '../eval/between';
export { attackJobs, attackScores } from '../experiments/adversarial';

// Findings: each notebook's table, seed strip and finding, computed from ours and the reference's runs.
export { ourRuns } from '../findings/ours';
export { toyComparison } from '../findings/toy';
export { cifarComparison, betweenRows } from '../findings/cifar';
export { calibrationByGroup, calibrationComparison } from '../findings/calibration';
export { corruptedComparison } from '../findings/corrupted';
export { uciComparison } from '../findings/uci';
export { adversarialComparison } from '../findings/adversarial';
export { speechFinding, speechStripRows, speechTableRows } from '../findings/speech';
export { ganComparison } from '../findings/gan';
export { ablationComparison } from '../findings/ablation';
export { referenceRunsFor } from '../reference/runs';
export { speechReferenceRuns } from '../reference/speech';
export { speechRunRow, withPublishedSeeds } from '../experiments/speech';
export { PAPER } from '../reference/paper';

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
