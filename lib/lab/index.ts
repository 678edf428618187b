/** Every notebook's experiment, by notebook: what the notebooks run, one contract each (./experiment). */
export { run } from './experiment';
export type { Comparison, Done, Experiment, RunOptions } from './experiment';
export { toy } from './toy';
export { cifar } from './cifar';
export { corrupted } from './corrupted';
export { uci } from './uci';
export { adversarial } from './adversarial';
export { speech } from './speech';
export { gan } from './gan';
export { ablation } from './ablation';
export { EXPERIMENTS, reportRuns } from './report';
