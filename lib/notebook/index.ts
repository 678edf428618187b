/** The one import of a notebook: the whole lib, after checking the compiled code is current. */
import { assertFresh } from './fresh';

assertFresh();

export * from './display';
export { tf, useBackend, ensureBackend } from '../backend';
export { stream } from '../random';
export { Mixup, oneHot } from '../mixup';
export { buildModel } from '../models';
export type { Model, ModelSpec } from '../models';
export { loadCifar10, CIFAR10_CLASSES } from '../data/cifar10';
export { corruptLabels } from '../data/corrupt';
export { loadUci, readUciFrame, UCI_DATASETS } from '../data/uci';
export { twoMoons, grid2d } from '../data/toy2d';
export { TabularData, ImageData } from '../data/dataset';
export { train } from '../train/loop';
export type { EpochRecord, TrainConfig } from '../train/loop';
export { PAPER_CIFAR_SGD, scaledCifarSgd } from '../train/optimizer';
export { evaluate, predict, argmaxRows, errorRate, expectedCalibrationError } from '../eval/metrics';
export { inBetween } from '../eval/between';
export { fgsm, attackErrors } from '../attacks/fgsm';
export { notebookParams } from '../experiments/profiles';
export { cachedRun, runKey } from '../runs/cache';
export type { RunResult } from '../runs/cache';
export * from '../charts/specs';
export { summarize, meanStd, formatSpread, againstSpread, spreadOf } from '../stats';
export type { Spread } from '../stats';
export { lastTestError, bestTestError, lastExtra } from '../train/history';
export { probabilityGrid, uncertainBand } from '../eval/boundary';
export { historyRows, heatmapRows, pointRows, spectrogramRows } from '../charts/rows';
export { CIFAR_PROFILES, cifarRun, cifarSpec, corruptedCifarRun } from '../experiments/cifar';
export type { CifarParams } from '../experiments/cifar';
export type { CifarVariant } from '../experiments/cifar';
export {
  ABLATION_VARIANTS,
  ABLATION_PROFILES,
  ABLATION_WEIGHT_DECAYS,
  AUTHORS_ABLATION,
  ablationRun,
  ablationJob,
} from '../experiments/ablation';
export { cifarJob, corruptedJob, jobData } from '../experiments/jobs';
export type { JobData, RunJob } from '../experiments/jobs';
export { trainRuns, defaultWorkers } from '../cluster/pool';
export type { AblationVariant } from '../experiments/ablation';
export { PAPER } from '../reference/paper';
export { publishedResult, publishedAcrossSeeds } from '../runs/published';
export {
  lowdataReferenceRuns,
  referenceRuns,
  referenceRunsFor,
  readReferenceFile,
  referenceHistoryRows,
  referenceSpread,
  referenceGapSpread,
  LOWDATA_PROTOCOL,
} from '../reference/runs';
export type { ReferenceRun, Protocol } from '../reference/runs';
export { cachedGanRun } from '../gan/run';
export type { GanConfig, GanCheckpoint } from '../gan/train';
export { modeCentres, sampleModes, MODE_SETS } from '../data/modes2d';
export { modeCoverage } from '../eval/modes';
export {
  loadSpeech,
  speechData,
  speechRun,
  speechRunRow,
  speechSpec,
  splitName,
  withPublishedSeeds,
} from '../experiments/speech';
export { speechReferenceErrors, speechReferenceRuns } from '../reference/speech';
export type { SpeechConfig, SpeechReferenceRun } from '../reference/speech';
export { speechFinding, speechStripRows, speechTableRows } from '../reference/speech-finding';
export type { SpeechFinding, SpeechRunRow } from '../reference/speech-finding';
export { FSDD_SPEAKERS } from '../data/fsdd';
export type { FsddSplit } from '../data/fsdd';
export {
  cifarRuns,
  corruptedGroups,
  corruptedRuns,
  CORRUPTED_PROFILES,
  protocolName,
  ADVERSARIAL_PROFILES,
  adversarialRuns,
  ablationRuns,
} from '../experiments/report-runs';
export type { CorruptedParams, CorruptedProtocol, AdversarialParams, WantedRun } from '../experiments/report-runs';
