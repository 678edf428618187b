/**
 * Command lines of the project's scripts, benchmarks and tools through node:util's parseArgs (strict: an unknown
 * option, or an option without its value, is an error), with the command's usage added to the message.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';

export function parseCli<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    // node's messages go on about positionals after '--'; the first sentence names the problem.
    const first = (e as Error).message.split('. ')[0].replace(/'(--[\w-]+)(?: <value>)?'/g, '$1');
    throw new Error(`${first.charAt(0).toLowerCase()}${first.slice(1)}: ${usage}`);
  }
}

/** A numeric option's value, checked: `what` says what it must be ("a whole number ≥ 1 of …"). */
export function numberOption(
  value: string | undefined,
  fallback: number,
  name: string,
  what: string,
  ok: (n: number) => boolean,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!ok(n)) throw new Error(`--${name} takes ${what}, got ${value}`);
  return n;
}

export const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;
