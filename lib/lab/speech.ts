/** Notebook 6's experiment: LeNet and VGG on spoken digits, ERM and mixup per split (the paper's section 3.3). */
import {
  SPEECH_DEFAULTS,
  speechResults,
  speechRunRow,
  speechRuns,
  speechSplits,
  splitName,
  withPublishedSeeds,
} from '../experiments/speech';
import { speechFinding, speechStripRows, speechTableRows } from '../findings/speech';
import { speechReferenceRuns } from '../reference/speech';
import { experiment } from './experiment';

export const speech = experiment({
  notebook: '06-speech',
  defaults: SPEECH_DEFAULTS,
  runs: speechRuns,
  async results({ trained }) {
    const here = speechResults(trained);
    // Ours over seeds: the runs here and the published runs of the same configurations at other seeds.
    return { here: here.length, rows: withPublishedSeeds(here).map(speechRunRow) };
  },
  reference: () => speechReferenceRuns(),
  compare(ours, reference, P) {
    const splits = speechSplits(P).map(splitName);
    const findings = splits.map((split) => speechFinding(ours.rows, reference, split));
    return {
      splits,
      rows: speechTableRows(ours.rows, reference),
      strip: splits.flatMap((split) => speechStripRows(ours.rows, reference, split).map((r) => ({ ...r, split }))),
      curves: [],
      findings,
      finding: { sentence: findings.map((f) => f.sentence).join(' ') },
    };
  },
});
