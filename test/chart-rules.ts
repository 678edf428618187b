/**
 * The rules every chart of the report keeps (issue #47), read from its vega-lite spec: a seed strip spans at least
 * STRIP_MIN_SPAN with no point on an edge and ticks at the tables' precision; a line whose series have one point each
 * draws its points.
 */
import { STRIP_MIN_SPAN } from '../lib/charts/specs';

type Spec = Record<string, unknown>;
type Row = Record<string, unknown>;

const isStrip = (layer: Spec[]) =>
  layer.some((l) => (l.mark as Spec | undefined)?.type === 'point' && (l.encoding as Spec | undefined)?.xOffset);

/** What a spec breaks of the rules, as sentences naming the chart (empty: none). */
export function chartProblems(spec: Spec, name: string, rows: Row[] = []): string[] {
  const data = ((spec.data as Spec | undefined)?.values as Row[] | undefined) ?? rows;
  const out: string[] = [];
  for (const k of ['hconcat', 'vconcat', 'concat'])
    for (const s of (spec[k] as Spec[] | undefined) ?? []) out.push(...chartProblems(s, name, data));
  if (spec.spec) out.push(...chartProblems(spec.spec as Spec, name, data));
  const layer = spec.layer as Spec[] | undefined;
  if (layer && isStrip(layer)) {
    const y = (layer[0].encoding as Spec).y as Spec;
    const domain = (y.scale as Spec | undefined)?.domain as number[] | undefined;
    const values = data.map((r) => Number(r[y.field as string])).filter(Number.isFinite);
    if (!domain) out.push(`${name}: a seed strip without a fixed y domain`);
    else {
      const [lo, hi] = domain;
      if (hi - lo < STRIP_MIN_SPAN) out.push(`${name}: a seed strip spans ${hi - lo}, under ${STRIP_MIN_SPAN}`);
      const margin = 0.05 * (hi - lo);
      if (values.some((v) => v - lo < margin || hi - v < margin))
        out.push(`${name}: a seed strip has a point on or past its edge`);
    }
    if (!/^\.[0-2]~?f$/.test(String((y.axis as Spec | undefined)?.format)))
      out.push(`${name}: a seed strip's ticks are not at the tables' precision`);
  }
  const units = layer ?? (spec.mark ? [spec] : []);
  for (const u of units) {
    const mark = u.mark as Spec | string | undefined;
    if (typeof mark !== 'object' || mark.type !== 'line' || mark.point) continue;
    const enc = (u.encoding as Spec | undefined) ?? {};
    const yField = (enc.y as Spec | undefined)?.field as string | undefined;
    const series = ['color', 'strokeDash'].map((c) => (enc[c] as Spec | undefined)?.field as string | undefined);
    if (!yField) continue;
    const counts = new Map<string, number>();
    for (const r of data) {
      if (typeof r[yField] !== 'number') continue;
      const key = series.map((f) => (f ? String(r[f]) : '')).join('\u0000');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (counts.size && Math.max(...counts.values()) <= 1)
      out.push(`${name}: a line of single points drawn without its points (an empty plot)`);
  }
  return out;
}
