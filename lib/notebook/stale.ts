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

/** Marks what `lab.run` returned (its rows, strip, curves and findings) as computed with `P`. */
export function stamp(result: Record<string, unknown>, P: object): void {
  const p = P as Record<string, unknown>;
  for (const v of Object.values(result)) if (v && typeof v === 'object') ranWith.set(v, p);
  const findings = [result.finding, ...(Array.isArray(result.findings) ? result.findings : [])];
  for (const f of findings) {
    const s = (f as { sentence?: unknown } | undefined)?.sentence;
    if (typeof s === 'string') sentences.set(s, p);
  }
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
