/** Vega-lite spec → static SVG in Node (vega's headless View; no browser, no network). */
import type { Spec } from './specs';

export async function toSvg(spec: Spec): Promise<string> {
  // vega and vega-lite are ES modules with top-level await: load them with import(), not require().
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: vega.loader({ mode: 'file' }) });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
