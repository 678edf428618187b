/**
 * Notebook 6's comparison: our spoken-digit runs beside the PyTorch reference's at the same configuration and beside
 * the paper's Speech Commands figures, and the finding about the paper's two claims (mixup lowers VGG-11's error; it
 * leaves LeNet's about where it was), computed from the runs.
 */
import { againstSpread, effectOf, Effect, formatSpread, meanStd, spreadOf, welchTest } from '../stats';
import { PAPER } from '../reference/paper';
import { SpeechConfig, speechReferenceErrors, SpeechReferenceRun } from '../reference/speech';
import { Claim, lowers, plural, unreadable, verdictWords } from './common';
import { paperLabel, paperMethodAt } from '../methods';

/** One of our finished runs: its configuration, seed and last-epoch test error %. */
export interface SpeechRunRow extends SpeechConfig {
  /** Training recordings kept (0 = all): the reference trains on all of them, so a subset has no reference. */
  trainLimit: number;
  seed: number;
  error: number;
}

/** The reference's errors per seed at our configuration (none for a training subset, which it never runs). */
const referenceAt = (ref: SpeechReferenceRun[], c: SpeechRunRow) =>
  c.trainLimit > 0 ? new Map<number, number>() : speechReferenceErrors(ref, c);

/** How the docs and the notebook name a speech net. */
export const netName = (model: string, width: number) => (model === 'vgg' ? `VGG-11 layout, width ${width}` : 'LeNet');
const splitName = (split: string) =>
  split === 'official' ? 'official' : `held out: ${split.replace(/^speaker:/, '')}`;
const sameConfig = (a: SpeechConfig, b: SpeechConfig) =>
  a.split === b.split && a.model === b.model && a.width === b.width && a.epochs === b.epochs && a.alpha === b.alpha;

function configs(ours: SpeechRunRow[]): SpeechRunRow[] {
  const out: SpeechRunRow[] = [];
  for (const r of ours) if (!out.some((c) => sameConfig(c, r))) out.push(r);
  return out;
}

/** The table: per split, net and α, ours over seeds, the reference over its seeds at the same configuration, the paper's. */
export function speechTableRows(
  ours: SpeechRunRow[],
  ref: SpeechReferenceRun[],
): Record<string, string | number | null>[] {
  return configs(ours).map((c) => {
    const mine = ours.filter((r) => sameConfig(r, c));
    const o = spreadOf(mine.map((r) => ({ seed: r.seed, v: r.error })));
    const rs = referenceAt(ref, c);
    const r = spreadOf([...rs].map(([seed, v]) => ({ seed, v })));
    const t = welchTest(
      mine.map((x) => x.error),
      [...rs.values()],
    );
    const paper = PAPER.speech[c.model][c.alpha === 0 ? 'erm' : String(c.alpha)];
    return {
      split: splitName(c.split),
      net: netName(c.model, c.width),
      method: paperLabel(c.alpha),
      epochs: c.epochs,
      'ours, test error %': formatSpread(o),
      'PyTorch reference, same protocol': formatSpread(r) ?? 'not run',
      // At the reference's precision: its lines hold two decimals.
      'our mean against the reference seeds': o ? againstSpread(Math.round(100 * o.mean) / 100, r) : null,
      "Welch's p, ours vs reference": t ? t.p.toFixed(2) : null,
      'paper, Speech Commands (as reported)': c.split === 'official' && paper !== undefined ? paper.toFixed(1) : null,
    };
  });
}

/** Mixup's effect on one net over seeds, at the α with the lowest mean error. */
export interface NetEffect {
  alpha: number;
  effect: Effect;
}

function bestEffect(errors: (alpha: number) => number[], alphas: number[]): NetEffect | null {
  const erm = errors(0);
  const tried = alphas.filter((a) => a > 0 && errors(a).length > 0);
  if (!erm.length || !tried.length) return null;
  const alpha = tried.reduce((b, a) => (meanStd(errors(a)).mean < meanStd(errors(b)).mean ? a : b));
  return { alpha, effect: effectOf(erm, errors(alpha)) };
}

/** The first claim: mixup lowers VGG-11's error. */
const claimVgg = (e: NetEffect | null): Claim => lowers(e?.effect ?? null);

/** The second: mixup does not lower LeNet's (the paper's LeNet got slightly worse with it). */
function claimLenet(e: NetEffect | null): Claim {
  if (!e) return 'not run';
  if (e.effect.p === null) return null;
  return e.effect.verdict === 'lower' ? 'contradicted' : e.effect.verdict === 'higher' ? 'holds' : 'not contradicted';
}

export interface SpeechFinding {
  split: string;
  ours: Record<'lenet' | 'vgg', NetEffect | null>;
  reference: Record<'lenet' | 'vgg', NetEffect | null>;
  /** The paper's first claim (mixup lowers VGG-11's error) and second (not LeNet's), in ours and in the reference. */
  vggGains: { ours: Claim; reference: Claim };
  lenetDoesNot: { ours: Claim; reference: Claim };
  sentence: string;
}

const paperPair = (m: 'lenet' | 'vgg') => `${PAPER.speech[m].erm.toFixed(1)} → ${PAPER.speech[m]['0.2'].toFixed(1)}`;
function describe(e: NetEffect | null): string {
  if (!e) return 'not run';
  const { gain, p, verdict } = e.effect;
  const by =
    Math.abs(gain) < 0.005
      ? `unchanged at α = ${e.alpha}`
      : `${gain > 0 ? 'lower' : 'higher'} by ${Math.abs(gain).toFixed(2)} points at α = ${e.alpha}`;
  return `${by}${p === null ? '' : ` (Welch p = ${p.toFixed(2)}${verdict === 'no clear difference' ? ', not separated' : ''})`}`;
}

/**
 * The finding on one split: mixup's effect per net (the best α against ERM, over seeds, Welch's test at 0.05) in ours
 * and in the reference, and whether each of the paper's claims shows.
 */
export function speechFinding(ours: SpeechRunRow[], ref: SpeechReferenceRun[], split: string): SpeechFinding {
  const mine = ours.filter((r) => r.split === split);
  const epochs = Math.max(...mine.map((r) => r.epochs));
  const alphas = [...new Set(mine.map((r) => r.alpha))];
  const width = (model: string) => mine.find((r) => r.model === model)?.width ?? 0;
  const trainLimit = Math.max(0, ...mine.map((r) => r.trainLimit));
  const at = (model: 'lenet' | 'vgg') => ({
    ours: bestEffect(
      (alpha) => mine.filter((r) => r.model === model && r.alpha === alpha && r.epochs === epochs).map((r) => r.error),
      alphas,
    ),
    reference: bestEffect(
      (alpha) => [
        ...referenceAt(ref, {
          split,
          model,
          width: width(model),
          epochs,
          alpha,
          trainLimit,
          seed: 0,
          error: 0,
        }).values(),
      ],
      alphas,
    ),
  });
  const lenet = at('lenet');
  const vgg = at('vgg');
  const vggGains = { ours: claimVgg(vgg.ours), reference: claimVgg(vgg.reference) };
  const lenetDoesNot = { ours: claimLenet(lenet.ours), reference: claimLenet(lenet.reference) };
  const seedsOf = (model: string) => new Set(mine.filter((r) => r.model === model).map((r) => r.seed)).size;
  const [nl, nv] = [seedsOf('lenet'), seedsOf('vgg')];
  const seeds = nl === nv ? plural(nl, 'seed') : `LeNet over ${plural(nl, 'seed')}, VGG-11 over ${plural(nv, 'seed')}`;
  const sentence =
    `${splitName(split)} split, ${plural(epochs, 'epoch')}, ${seeds}: with mixup, ` +
    `VGG-11's error is ${describe(vgg.ours)} in ours and ${describe(vgg.reference)} in the PyTorch reference; ` +
    `LeNet's is ${describe(lenet.ours)} in ours and ${describe(lenet.reference)} in the reference. ` +
    ([vggGains, lenetDoesNot].every((v) => unreadable(v.ours) && unreadable(v.reference))
      ? `The paper's two claims (mixup lowers VGG-11's error: ${paperPair('vgg')} %; LeNet's stays about where ` +
        `it was: ${paperPair('lenet')} %) ${verdictWords(vggGains)}.`
      : `The paper's first claim (mixup lowers VGG-11's error: ${paperPair('vgg')} %) ${verdictWords(vggGains)}; ` +
        `its second (LeNet's stays about where it was: ${paperPair('lenet')} %) ${verdictWords(lenetDoesNot)}.`);
  return {
    split,
    ours: { lenet: lenet.ours, vgg: vgg.ours },
    reference: { lenet: lenet.reference, vgg: vgg.reference },
    vggGains,
    lenetDoesNot,
    sentence,
  };
}

/** One point per seed for a seed strip: ours and the reference's runs of one split, grouped by net and method. */
export function speechStripRows(
  ours: SpeechRunRow[],
  ref: SpeechReferenceRun[],
  split: string,
): { group: string; side: string; seed: number; error: number }[] {
  const group = (c: SpeechConfig) =>
    `${c.model === 'vgg' ? 'VGG-11' : 'LeNet'}, ${c.alpha === 0 ? paperMethodAt(0).name : `α ${c.alpha}`}`;
  return configs(ours.filter((r) => r.split === split)).flatMap((c) => [
    ...ours
      .filter((r) => sameConfig(r, c))
      .map((r) => ({ group: group(c), side: 'mixup-lab', seed: r.seed, error: r.error })),
    ...[...referenceAt(ref, c)].map(([seed, error]) => ({ group: group(c), side: 'PyTorch reference', seed, error })),
  ]);
}
