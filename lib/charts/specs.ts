/**
 * Every chart of mixup-lab as a vega-lite (v5) spec: plain JSON, shown interactively in JupyterLab and
 * rendered to SVG in Node for the report (render.ts).
 */
export type Spec = Record<string, unknown>;
export type Row = Record<string, string | number | null>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * Whether each series (`by`) has at most one valid value of `y`: a line of one point draws nothing, so such charts draw
 * their points (a one-epoch smoke run's curve would otherwise be a legend and an empty plot).
 */
function onePointEach(rows: Row[], y: string, by: (string | undefined)[]): boolean {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const v = r[y];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const key = by.map((f) => (f ? String(r[f]) : '')).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values()) <= 1;
}

/** A seed strip's smallest span, in the values' units (percentage points): smaller gaps are drawn as the noise they are. */
export const STRIP_MIN_SPAN = 2;

/**
 * The y scale of a seed strip: at least `minSpan` wide around the values' middle, padded so that no point sits on an
 * edge.
 */
export function stripDomain(values: number[], minSpan = STRIP_MIN_SPAN): [number, number] {
  const v = values.filter(Number.isFinite);
  if (!v.length) return [0, minSpan];
  const lo = Math.min(...v),
    hi = Math.max(...v);
  const span = Math.max(hi - lo, minSpan);
  const mid = (lo + hi) / 2;
  const pad = 0.15 * span;
  // Padded on both sides even at 0 %: a point on the axis's edge reads as cut off.
  return [mid - span / 2 - pad, mid + span / 2 + pad];
}

/** `unit` drawn once per value of `facet`, side by side. */
function facetColumns(
  rows: Row[],
  title: string | undefined,
  facet: string,
  unit: Spec,
  o: { columns?: number; independentY?: boolean } = {},
): Spec {
  return {
    $schema: SCHEMA,
    title,
    data: { values: rows },
    // Wrapped into rows of `columns` panels where given (vega-lite's wrapped facet), else one row.
    ...(o.columns
      ? { facet: { field: facet, type: 'nominal', sort: null }, columns: o.columns }
      : { facet: { column: { field: facet, type: 'nominal' } } }),
    spec: unit,
    ...(o.independentY ? { resolve: { scale: { y: 'independent' } } } : {}),
  };
}

export interface LineOptions {
  x: string;
  y: string;
  color?: string;
  strokeDash?: string;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  yFormat?: string;
  xScale?: 'linear' | 'log';
  width?: number;
  height?: number;
  facet?: string;
  /** Panels per row of a faceted chart (all in one row when absent). */
  facetColumns?: number;
  /** Each panel its own y scale: for panels whose values lie far apart (one data set's error against another's). */
  independentY?: boolean;
}

/** Lines with points, one per `color` value (and dashed per `strokeDash`), optionally faceted into columns. */
export function lineChart(rows: Row[], o: LineOptions): Spec {
  const encoding: Record<string, unknown> = {
    x: {
      field: o.x,
      type: 'quantitative',
      title: o.xTitle ?? o.x,
      scale: o.xScale === 'log' ? { type: 'log' } : { zero: false },
    },
    y: {
      field: o.y,
      type: 'quantitative',
      title: o.yTitle ?? o.y,
      ...(o.yFormat ? { axis: { format: o.yFormat } } : {}),
    },
    tooltip: Object.keys(rows[0] ?? {}).map((field) => ({ field })),
  };
  if (o.color) encoding.color = { field: o.color, type: 'nominal' };
  if (o.strokeDash)
    encoding.strokeDash = {
      field: o.strokeDash,
      type: 'nominal',
      legend: { symbolStrokeWidth: 2, symbolSize: 400, labelLimit: 220 },
    };
  // Points on the lines would make every legend entry the same dot, and the dash patterns could not be told apart:
  // dashed charts draw plain lines, so their legend shows each pattern.
  const unit = {
    mark: { type: 'line', point: !o.strokeDash || onePointEach(rows, o.y, [o.color, o.strokeDash, o.facet]) },
    encoding,
    width: o.width ?? 320,
    height: o.height ?? 220,
  };
  if (o.facet)
    return facetColumns(rows, o.title, o.facet, unit, { columns: o.facetColumns, independentY: o.independentY });
  return { $schema: SCHEMA, title: o.title, data: { values: rows }, ...unit };
}

/**
 * Train loss per epoch and test error % per scored epoch for several runs (rows: run, epoch, trainLoss, testError).
 * Test error is null on epochs an evaluation schedule skipped: its panel draws the scored epochs as points, so
 * the curve shows the schedule; long runs draw training loss without points.
 */
export function learningCurves(rows: Row[], title = 'Learning curves', o: { dashBy?: string } = {}): Spec {
  const runs = new Set(rows.map((r) => r.run)).size || 1;
  const base = (y: string, t: string, format?: string, point = true) => ({
    transform: [{ filter: `isValid(datum['${y}'])` }],
    mark: { type: 'line', point: (point && !o.dashBy) || onePointEach(rows, y, ['run', o.dashBy]) },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: y, type: 'quantitative', title: t, ...(format ? { axis: { format } } : {}) },
      color: { field: 'run', type: 'nominal' },
      // Dashed per source (e.g. ours vs the PyTorch reference); plain lines then, so the legend shows each pattern.
      ...(o.dashBy ? { strokeDash: { field: o.dashBy, type: 'nominal', title: null } } : {}),
      tooltip: [{ field: 'run' }, { field: 'epoch' }, { field: y }],
    },
    width: 300,
    height: 220,
  });
  return {
    $schema: SCHEMA,
    title,
    data: { values: rows },
    hconcat: [
      base('trainLoss', 'training loss', undefined, rows.length / runs <= 60),
      base('testError', 'test error %'),
    ],
  };
}

/** p(y = 1 | x) over a grid with the training points on top (rows: grid x, y, p; points x, y, label), faceted by `panel`. */
export function decisionHeatmap(grid: Row[], points: Row[], step: number, title: string): Spec {
  const panels = [...new Set(grid.map((g) => g.panel))];
  return {
    $schema: SCHEMA,
    title,
    hconcat: panels.map((panel) => ({
      title: String(panel),
      width: 260,
      height: 260,
      layer: [
        {
          data: { values: grid.filter((g) => g.panel === panel) },
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'x', type: 'quantitative', bin: { binned: true, step }, title: 'x₁' },
            x2: { field: 'x2' },
            y: { field: 'y', type: 'quantitative', bin: { binned: true, step }, title: 'x₂' },
            y2: { field: 'y2' },
            color: { field: 'p', type: 'quantitative', title: 'p(y=1|x)', scale: { scheme: 'blues', domain: [0, 1] } },
          },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 14 },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'y', type: 'quantitative' },
            color: { field: 'label', type: 'nominal', scale: { range: ['#2ca02c', '#ff7f0e'] }, title: 'class' },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    })),
  };
}

/** Grouped bars, e.g. ours vs paper per method (rows: group, series, value[, lo, hi]). */
export function groupedBars(
  rows: Row[],
  o: { group: string; series: string; value: string; title?: string; yTitle?: string; yFormat?: string },
): Spec {
  return {
    $schema: SCHEMA,
    title: o.title,
    data: { values: rows },
    width: 360,
    height: 220,
    mark: 'bar',
    encoding: {
      x: { field: o.group, type: 'nominal', title: null },
      xOffset: { field: o.series },
      y: {
        field: o.value,
        type: 'quantitative',
        title: o.yTitle ?? o.value,
        ...(o.yFormat ? { axis: { format: o.yFormat } } : {}),
      },
      color: { field: o.series, type: 'nominal', title: null },
      tooltip: Object.keys(rows[0] ?? {}).map((field) => ({ field })),
    },
  };
}

/**
 * One point per run and a tick at each series' mean, side by side within each group (e.g. ERM / mixup × ours / the
 * reference): where people would rather see the spread of seeds than read it.
 */
export function seedStrip(
  rows: Row[],
  o: { group: string; series: string; value: string; title?: string; yTitle?: string },
): Spec {
  const x = { field: o.group, type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } };
  const xOffset = { field: o.series, sort: null };
  const color = { field: o.series, type: 'nominal', title: null, sort: null, legend: { orient: 'bottom' } };
  // Ticks at the tables' precision (two decimals at most) on a span no narrower than STRIP_MIN_SPAN.
  const domain = stripDomain(rows.map((r) => Number(r[o.value])));
  const y = {
    field: o.value,
    type: 'quantitative',
    title: o.yTitle ?? o.value,
    scale: { domain, nice: false, zero: false },
    axis: { format: '.2~f', tickCount: 5 },
  };
  return {
    $schema: SCHEMA,
    title: o.title,
    data: { values: rows },
    width: 360,
    height: 240,
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.75, size: 50 },
        encoding: { x, xOffset, y, color, tooltip: Object.keys(rows[0] ?? {}).map((field) => ({ field })) },
      },
      {
        mark: { type: 'tick', thickness: 2, size: 26 },
        encoding: { x, xOffset, y: { ...y, aggregate: 'mean' }, color },
      },
    ],
  };
}

/** Points in the plane, coloured by `color`, in a grid of small panels by `row` and `column` (e.g. method × iteration). */
export function scatterPanels(
  rows: Row[],
  o: {
    x: string;
    y: string;
    color: string;
    row?: string;
    column: string;
    title?: string;
    size?: number;
    domain?: [number, number];
    colors?: Record<string, string>;
  },
): Spec {
  const scale = o.domain ? { domain: o.domain, nice: false } : { zero: false };
  return {
    $schema: SCHEMA,
    title: o.title,
    data: { values: rows },
    facet: {
      column: { field: o.column, type: 'ordinal', sort: null },
      ...(o.row ? { row: { field: o.row, type: 'nominal' } } : {}),
    },
    spec: {
      width: o.size ?? 140,
      height: o.size ?? 140,
      // Clipped to the panel: points far outside a fixed domain would otherwise spill over the neighbours.
      mark: { type: 'point', filled: true, size: 6, opacity: 0.5, clip: !!o.domain },
      encoding: {
        x: { field: o.x, type: 'quantitative', scale, title: null },
        y: { field: o.y, type: 'quantitative', scale, title: null },
        color: {
          field: o.color,
          type: 'nominal',
          title: null,
          scale: o.colors
            ? { domain: Object.keys(o.colors), range: Object.values(o.colors) }
            : { range: ['#1f77b4', '#ff7f0e'] },
        },
      },
    },
  };
}

/** A grid of values as coloured cells (rows: x, y, value[, panel]), e.g. spectrograms: one panel per `facet` value. */
export function heatmap(
  rows: Row[],
  o: {
    x: string;
    y: string;
    value: string;
    facet?: string;
    title?: string;
    xTitle?: string;
    yTitle?: string;
    width?: number;
    height?: number;
    scheme?: string;
  },
): Spec {
  const unit = {
    width: o.width ?? 160,
    height: o.height ?? 120,
    mark: { type: 'rect' },
    encoding: {
      x: { field: o.x, type: 'ordinal', title: o.xTitle ?? o.x, axis: { labels: false, ticks: false } },
      y: {
        field: o.y,
        type: 'ordinal',
        title: o.yTitle ?? o.y,
        sort: 'descending',
        axis: { labels: false, ticks: false },
      },
      color: { field: o.value, type: 'quantitative', scale: { scheme: o.scheme ?? 'viridis' }, title: o.value },
    },
  };
  if (o.facet) return facetColumns(rows, o.title, o.facet, unit);
  return { $schema: SCHEMA, title: o.title, data: { values: rows }, ...unit };
}

/**
 * A reliability diagram: accuracy against mean confidence per confidence bin (rows: method, side, confidence, accuracy,
 * share), one line per method, dashed per side (ours, the reference), over the diagonal a perfectly calibrated model
 * would follow. Points below the diagonal are over-confident. Both axes in percent.
 */
export function reliabilityDiagram(rows: Row[], title = 'Reliability diagram'): Spec {
  const axis = (field: string, t: string) => ({
    field,
    type: 'quantitative',
    title: t,
    scale: { domain: [0, 100] },
  });
  return {
    $schema: SCHEMA,
    title,
    width: 320,
    height: 320,
    layer: [
      {
        data: {
          values: [
            { confidence: 0, accuracy: 0 },
            { confidence: 100, accuracy: 100 },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [2, 2] },
        encoding: { x: axis('confidence', 'mean confidence %'), y: axis('accuracy', 'accuracy %') },
      },
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: axis('confidence', 'mean confidence %'),
          y: axis('accuracy', 'accuracy %'),
          color: { field: 'method', type: 'nominal', title: null, sort: null },
          strokeDash: { field: 'side', type: 'nominal', title: null, sort: null },
          detail: { field: 'side' },
          tooltip: Object.keys(rows[0] ?? {}).map((field) => ({ field })),
        },
      },
    ],
  };
}
