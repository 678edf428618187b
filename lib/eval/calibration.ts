/**
 * How honest a classifier's confidence is, from one scoring pass's probabilities (the same ones its test error comes
 * from): the reliability diagram's rows, the expected and maximum calibration errors over them (Guo et al. 2017:
 * confidence = the top probability, equal-width bins), the mean confidence on right and on wrong predictions, and the
 * negative log-likelihood. tools/reference/calibration.py computes the same from the PyTorch reference's models,
 * with the same bins; test/calibration.test.ts checks that the two agree on one set of probabilities.
 */

/** One scoring pass as lib/eval/metrics' `predict` returns it (kept structural: metrics builds on this module). */
export interface ScoredProbs {
  /** Softmax probabilities, n × classes, row-major. */
  probs: Float32Array;
  numClasses: number;
  /** Mean cross-entropy against the labels. */
  loss: number;
}

/** Index and value of each row's largest probability (the first on ties, as argmaxRows in lib/eval/metrics). */
export function topOf(probs: Float32Array, k: number, i: number): [number, number] {
  let best = 0;
  for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
  return [best, probs[i * k + best]];
}

/** The ECE's default bin count (lib/eval/metrics' testEce has used 15 from the start; so does the reference). */
export const CALIBRATION_BINS = 15;

export interface ReliabilityBin {
  /** The bin's confidence interval [lo, hi); the last bin includes 1. */
  lo: number;
  hi: number;
  count: number;
  /** Mean top-class probability of the bin's predictions (null when the bin is empty). */
  confidence: number | null;
  /** Share of the bin's predictions that are right (null when empty). */
  accuracy: number | null;
}

export interface Calibration {
  n: number;
  bins: number;
  /** Σ_b |B_b|/n · |accuracy(B_b) − confidence(B_b)|. */
  ece: number;
  /** max over non-empty bins of |accuracy(B_b) − confidence(B_b)|. */
  mce: number;
  /** Mean −log p(true class): the scoring pass's own cross-entropy. */
  nll: number;
  error: number;
  meanConfidence: number;
  /** Mean top-class probability over the right predictions, and over the wrong ones (null when there are none). */
  confidenceCorrect: number | null;
  confidenceWrong: number | null;
  reliability: ReliabilityBin[];
}

/** The bin of a top-class probability c ∈ [0, 1]: equal widths, 1 itself in the last. */
export function binOf(c: number, bins: number): number {
  return Math.min(bins - 1, Math.floor(c * bins));
}

/**
 * Calibration of `pred` (softmax rows, n × classes) against `labels`. `pred.loss` is the NLL: the scoring pass forms it
 * from the log-softmax, which stays finite where a probability rounds to 0 in float32.
 */
export function calibration(pred: ScoredProbs, labels: ArrayLike<number>, bins = CALIBRATION_BINS): Calibration {
  const k = pred.numClasses;
  const n = labels.length;
  if (pred.probs.length !== n * k)
    throw new Error(`calibration: ${pred.probs.length / k} prediction rows for ${n} labels`);
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`calibration: bins must be a positive integer, got ${bins}`);
  const count = new Float64Array(bins),
    conf = new Float64Array(bins),
    right = new Float64Array(bins);
  let confSum = 0,
    rightConf = 0,
    wrongConf = 0,
    rightN = 0;
  for (let i = 0; i < n; i++) {
    const [cls, c] = topOf(pred.probs, k, i);
    const b = binOf(c, bins);
    const ok = cls === labels[i];
    count[b]++;
    conf[b] += c;
    confSum += c;
    if (ok) {
      right[b]++;
      rightConf += c;
      rightN++;
    } else wrongConf += c;
  }
  let ece = 0,
    mce = 0;
  const reliability: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const m = count[b];
    const row: ReliabilityBin = {
      lo: b / bins,
      hi: (b + 1) / bins,
      count: m,
      confidence: m ? conf[b] / m : null,
      accuracy: m ? right[b] / m : null,
    };
    if (m) {
      const gap = Math.abs(row.accuracy! - row.confidence!);
      ece += (m / n) * gap;
      mce = Math.max(mce, gap);
    }
    reliability.push(row);
  }
  return {
    n,
    bins,
    ece,
    mce,
    nll: pred.loss,
    error: n ? (n - rightN) / n : 0,
    meanConfidence: n ? confSum / n : 0,
    confidenceCorrect: rightN ? rightConf / rightN : null,
    confidenceWrong: n - rightN ? wrongConf / (n - rightN) : null,
    reliability,
  };
}
