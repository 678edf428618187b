/** GAN runs through the run cache, like every other run: one configuration and seed trains once. */
import { cachedResult, CachedResult } from '../runs/cache';
import { GanConfig, GanProgress, GanResult, trainGan } from './train';

export interface GanCallbacks {
  onProgress?(p: GanProgress): void;
  onCached?(info: { finishedAt: string; seconds: number }): void;
}

export function cachedGanRun(config: GanConfig, callbacks: GanCallbacks = {}): Promise<CachedResult<GanResult>> {
  return cachedResult('gan-2d', config, () => trainGan(config, callbacks.onProgress), callbacks.onCached);
}
