/**
 * Results that no longer match the parameters cell. A person who reruns the parameters cell with another seed and then
 * only a later cell would otherwise read the old seed's numbers under the new seed's table: every comparison
 * `lab.run` returns remembers the parameters it ran with, and a table or finding of it shown after the parameters
 * changed says so above itself, with what it has, what is asked for and how to refresh.
 */
let current: Record<string, unknown> | null = null;
const ranWith = new WeakMap<object, Record<string, unknown>>();
const sentences = new Map<string, Record<string, unknown>>();

/** The parameters cell's latest P. */
export function noteParams<P extends object>(P: P): P {
  current = P as Record<string, unknown>;
  return P;
}

const plain = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && [Object.prototype, Array.prototype, null].includes(Object.getPrototypeOf(v));

/**
 * Marks what `lab.run` returned (its rows, strip, curves, findings, and what they are made of, a few levels down) as
 * computed with `P`. Plain data only: models and typed arrays are left alone.
 */
export function stamp(result: unknown, P: object, depth = 4, seen = new Set<unknown>()): void {
  if (!plain(result) || seen.has(result)) return;
  seen.add(result);
  ranWith.set(result, P as Record<string, unknown>);
  for (const [k, v] of Object.entries(result)) {
    if (k === 'sentence' && typeof v === 'string') sentences.set(v, P as Record<string, unknown>);
    else if (depth > 0) stamp(v, P, depth - 1, seen);
  }
}

/**
 * `fn` for a notebook: what it returns from stamped results (a second comparison of the same runs, as notebook 2's
 * calibration) carries their parameters, so it too says when it is stale.
 */
export function derived<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const r = fn(...args);
    const P = args.map((a) => (plain(a) ? ranWith.get(a) : undefined)).find(Boolean);
    if (P) stamp(r, P);
    return r;
  };
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(', ') : JSON.stringify(v));

/** The notice for a table or finding computed with parameters other than the cell's current ones, else null. */
export function staleNotice(shown: unknown): string | null {
  const ran =
    typeof shown === 'string'
      ? sentences.get(shown)
      : shown && typeof shown === 'object'
        ? ranWith.get(shown)
        : undefined;
  if (!ran || !current || ran === current) return null;
  const changed = Object.keys(current).filter((k) => JSON.stringify(current![k]) !== JSON.stringify(ran[k]));
  if (!changed.length) return null;
  const what = changed.map((k) => `${k} ${show(ran[k])} (the cell now asks for ${show(current![k])})`).join('; ');
  return `Stale: these results were computed with ${what}. Rerun the cell that calls lab.run, then this one, to refresh.`;
}
