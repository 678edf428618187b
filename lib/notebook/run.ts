/** `lab.run` as a notebook calls it: the experiment's run (lib/lab), its results marked with P, its errors one line. */
import { BaseParams, oneLineStack, Resolved } from '../experiments/profiles';
import { run as runExperiment } from '../lab';
import type { Comparison, Experiment, RunOptions } from '../lab';
import { stamp } from './stale';

/**
 * An error from lib as a notebook shows it: its message on one line (tslab prints the stack it is given), the original
 * stack kept out of sight on `detail` for whoever debugs it.
 */
export function oneLine(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const out = new Error(err.message);
  out.name = err.name;
  Object.defineProperty(out, 'detail', { value: err.stack, enumerable: false });
  return oneLineStack(out);
}

export async function run<T extends BaseParams, Ours, Reference, C extends Comparison>(
  e: Experiment<T, Ours, Reference, C>,
  P: Resolved<T>,
  o: RunOptions = {},
): Promise<{ ours: Ours; reference: Reference } & C> {
  try {
    const result = await runExperiment(e, P, o);
    stamp(result as unknown as Record<string, unknown>, P);
    return result;
  } catch (err) {
    throw oneLine(err);
  }
}
