/**
 * Inputs that belong to no CIFAR-10 class, for asking how sure a classifier is where it should not be (Thulasidasan
 * et al. 2019 score mixup this way): uniform noise images, and CIFAR test images with their pixel positions shuffled,
 * which keep each image's colour statistics and lose its content. Both come from fixed streams (not a run's seed),
 * so every model is scored on the same inputs. Their labels are 0 and mean nothing.
 */
import { stream } from '../random';
import { ImageData } from './dataset';

export interface OodSets {
  noise: ImageData;
  shuffled: ImageData;
}

/** `n` uniform-noise images of the test set's size, and its first `n` images pixel-shuffled (n ≤ test.n). */
export function oodSets(test: ImageData, n: number): OodSets {
  if (!Number.isInteger(n) || n < 1 || n > test.n)
    throw new Error(`oodSets: n must be an integer in 1..${test.n} (the test images), got ${n}`);
  const { height: h, width: w } = test;
  const size = h * w * 3;
  const labels = new Int32Array(n);
  const noiseStream = stream(0, 'ood/noise');
  const noise = new Uint8Array(n * size);
  for (let i = 0; i < noise.length; i++) noise[i] = noiseStream.int(256);
  const shuffleStream = stream(0, 'ood/shuffle');
  const shuffled = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) {
    // One permutation of the h·w positions per image; a pixel's three channels move together.
    const order = shuffleStream.permutation(h * w);
    for (let p = 0; p < h * w; p++) {
      const src = i * size + order[p] * 3,
        dst = i * size + p * 3;
      shuffled[dst] = test.pixels[src];
      shuffled[dst + 1] = test.pixels[src + 1];
      shuffled[dst + 2] = test.pixels[src + 2];
    }
  }
  return {
    noise: new ImageData(noise, h, w, labels, test.numClasses),
    shuffled: new ImageData(shuffled, h, w, labels.slice(), test.numClasses),
  };
}
