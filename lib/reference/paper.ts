/**
 * The paper's numbers, as kept in the project's paper-facts notes. Marks: 'reported' = the paper's figure as
 * recalled, not checked against the PDF; 'seed' = the project's own earlier reproduction; 'reference-12ep' =
 * the PyTorch reference recipe at width 16 for 12 epochs on this kind of machine.
 */
export const PAPER = {
  /**
   * The PyTorch reference (tools/reference/train.py) on the low-data protocol: first 2,500 training images,
   * width 16, 240 epochs, α = 1 clean / α = 8 at 50 % noise, all 10,000 test images, seed 1, on a GPU
   * (the GPU runs of the project's start, whose JSON lines were not kept: these figures are their record). Error %.
   */
  lowdataReference: {
    source: 'PyTorch reference, same protocol, seed 1',
    clean: { erm: { last: 34.24, best: 33.97 }, mixup: { last: 26.95, best: 26.59 } },
    fgsmWhite: [
      { eps: 1, erm: 62.87, mixup: 59.83 },
      { eps: 2, erm: 78.24, mixup: 73.89 },
      { eps: 4, erm: 87.79, mixup: 82.88 },
      { eps: 8, erm: 92.75, mixup: 87.78 },
    ],
    /** Test error % after epoch 1, 20, 40, …, 240 (the facts file's curve table). */
    curves: {
      epochs: [1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240],
      erm: [78.7, 50.5, 48.0, 41.1, 39.9, 42.5, 37.6, 34.2, 34.5, 34.2, 34.2, 34.3, 34.2],
      mixup: [80.8, 49.9, 45.1, 38.3, 35.1, 34.2, 34.2, 28.1, 27.6, 27.9, 27.2, 27.2, 27.0],
      ermNoise50: [81.7, 65.1, 69.6, 72.3, 72.7, 70.4, 72.1, 69.3, 69.5, 69.5, 69.6, 69.3, 69.4],
      mixupNoise50: [83.8, 72.1, 61.4, 58.2, 60.7, 55.3, 52.3, 49.7, 50.5, 51.4, 50.4, 50.7, 51.1],
    },
    /** 50 % noise: best / last test error, and training error on the redrawn labels at the last epoch. */
    noisy: {
      '0.5': {
        erm: { best: 62.29, last: 69.35, corruptedTrain: 0.0 },
        mixup: { best: 49.22, last: 51.08, corruptedTrain: 69.1 },
      },
    } as Record<
      string,
      {
        erm: { best: number; last: number; corruptedTrain: number };
        mixup: { best: number; last: number; corruptedTrain: number };
      }
    >,
  },
  /** Section 3.3, Google Speech Commands (30 classes), validation error % (recalled). */
  speech: {
    source: 'paper (as reported), Google Speech Commands, validation error %',
    lenet: { erm: 9.8, 0.1: 10.1, 0.2: 10.2 } as Record<string, number>,
    vgg: { erm: 5.0, 0.1: 4.0, 0.2: 3.9 } as Record<string, number>,
  },
  cifar10PreActErr: { erm: 5.6, mixup: 4.2, source: 'paper (as reported)' },
  cifar10SeedErr: { erm: 5.37, mixup: 4.21, source: "seed's reproduction" },
  cifar10Reference12ep: { erm: 14.77, mixup: 17.43, source: 'PyTorch reference, width 16, 12 epochs, here' },
  corrupted: {
    source: 'paper (as reported), test error % best / last',
    erm: { 0.2: [12.7, 16.6], 0.5: [18.8, 44.6], 0.8: [36.5, 73.9] },
    mixup: { 0.2: [5.9, 6.4], 0.5: [11.3, 12.7], 0.8: [25.3, 30.9] },
    // With dropout (best p; p = 0.7 / 0.8 / 0.8 per a secondary source) and mixup + dropout (best α and p).
    ermDropout: { 0.2: [8.8, 10.4], 0.5: [14.1, 15.5], 0.8: [30.9, 35.1] },
    mixupDropout: { 0.2: [6.2, 6.2], 0.5: [10.9, 10.9], 0.8: [24.0, 24.8] },
  } as {
    source: string;
    erm: Record<string, number[]>;
    mixup: Record<string, number[]>;
    ermDropout: Record<string, number[]>;
    mixupDropout: Record<string, number[]>;
  },
  uci: {
    source: 'paper (as reported), test error %; htru2 not available, spambase stands in',
    erm: { abalone: 74.0, arcene: 57.6, arrhythmia: 56.6, htru2: 2.0, iris: 21.3, phishing: 16.3 },
    mixup: { abalone: 73.6, arcene: 48.0, arrhythmia: 46.3, htru2: 2.0, iris: 17.3, phishing: 15.2 },
  } as { source: string; erm: Record<string, number>; mixup: Record<string, number> },
  fgsmSeed: {
    source: "seed's reproduction, CIFAR-10 ResNet-18, error %",
    whiteErm: 53.7,
    whiteMixup: 49.25,
    blackErm: 55.07,
    blackMixup: 49.76,
  },
  fgsmReference12ep: {
    source: 'PyTorch reference, width 16, 12 epochs, here; error %',
    rows: [
      { eps: 1, whiteErm: 56.86, whiteMixup: 55.93, blackErm: 29.69, blackMixup: 31.51 },
      { eps: 2, whiteErm: 77.27, whiteMixup: 71.62, blackErm: 43.22, blackMixup: 44.16 },
      { eps: 4, whiteErm: 88.76, whiteMixup: 80.25, blackErm: 61.94, blackMixup: 59.95 },
      { eps: 8, whiteErm: 91.9, whiteMixup: 83.59, blackErm: 76.36, blackMixup: 72.69 },
    ],
  },
};
