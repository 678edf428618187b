import { tf } from '../backend';

/** CIFAR-10 per-channel statistics of the reference code; applied inside the models so attacks work on [0, 1] pixels. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.2023, 0.1994, 0.201];

export function normalizeImages(x: tf.Tensor4D, mean = CIFAR10_MEAN, std = CIFAR10_STD): tf.Tensor4D {
  return tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
}
