/**
 * Notebook parameters. Each notebook's knobs live per size profile in lib (one table a notebook), and its first code
 * cell names the values a person edits as literals, papermill's parameters cell:
 *   const P = lab.params(lab.CIFAR_PROFILES, { profile: 'quick', seeds: [1] });
 * A headless run overrides them through the environment, as papermill's injected cell would:
 *   MIXUP_PROFILE = smoke | quick | lowdata | paper   (set by every headless run: the profile's values replace the cell's)
 *   MIXUP_SEEDS   = "1,2,3"                 (or MIXUP_SEED = "7")
 *   MIXUP_PARAMS  = '{"epochs": 3}'         (JSON, merged over the rest; unknown keys are an error)
 * Every value remembers where it came from, so the cell can say so (`paramSources`).
 */
/**
 * smoke: seconds, for tests; quick: the default, minutes; lowdata: the paper's CIFAR effects on a laptop (few
 * images, many epochs: hours); paper: the paper's protocol (days on a CPU).
 */
export const PROFILES = ['smoke', 'quick', 'lowdata', 'paper'] as const;
export type Profile = (typeof PROFILES)[number];

export interface BaseParams {
  seeds: number[];
}
export type Resolved<T> = T & BaseParams & { profile: Profile };

/**
 * A notebook's parameters as one typed config: `base`, what it runs at every profile (the quick settings), and only the
 * profiles it changes, each a partial override; a profile it does not name runs the base.
 */
export interface Defaults<T extends BaseParams> {
  base: T;
  profiles: Partial<Record<Profile, Partial<T>>>;
  /** The names a list parameter may hold, by key (checked in the parameters cell, before anything trains). */
  choices?: Choices;
}

/** Every profile's whole parameter set: what `params` starts from, and what scripts and tests read. */
export function profileTable<T extends BaseParams>(d: Defaults<T>): Record<Profile, T> {
  return Object.fromEntries(PROFILES.map((p) => [p, { ...d.base, ...d.profiles[p] }])) as Record<Profile, T>;
}

/** Where a parameter's value came from. */
export type ParamSource = 'cell' | 'profile' | 'MIXUP_PROFILE' | 'MIXUP_SEEDS' | 'MIXUP_SEED' | 'MIXUP_PARAMS';

const sources = new WeakMap<object, Record<string, ParamSource>>();

/** Where each value of a resolved parameter set came from (every key; 'profile': the profile's table in lib). */
export function paramSources(P: object): Record<string, ParamSource> {
  const s = sources.get(P);
  if (!s) throw new Error('these parameters were not made by lab.params: give the P its parameters cell returned');
  return s;
}

function isProfile(p: unknown): p is Profile {
  return typeof p === 'string' && (PROFILES as readonly string[]).includes(p);
}

export function readProfile(env = process.env): Profile {
  const p = (env.MIXUP_PROFILE ?? 'quick').trim();
  if (!isProfile(p)) throw new ParamError(`MIXUP_PROFILE=${p} is not a profile: use one of ${PROFILES.join(', ')}`);
  return p;
}

function parseSeeds(text: string, from: string): number[] {
  const seeds = text.split(',').map((s) => Number(s.trim()));
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new ParamError(`${from}=${text}: seeds are non-negative integers, comma-separated`);
  return seeds;
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/**
 * A mistake in a notebook's parameters: one line that names the key, the value and the fix. Its stack is that line,
 * so a notebook (tslab prints what it throws) shows no trace into dist/.
 */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
    oneLineStack(this);
  }
}

/**
 * Makes `err`'s stack its one line, for good: Node prepends the throwing source line to an error thrown at the top
 * level of a vm script (as tslab runs a cell), and this stack ignores that write.
 */
export function oneLineStack(err: Error): Error {
  const line = `${err.name}: ${err.message}`;
  Object.defineProperty(err, 'stack', { get: () => line, set: () => {}, enumerable: false, configurable: true });
  return err;
}

/** The one-line refusal of a parameter's value: where it came from, the key, the value, what is wrong and the fix. */
function refuse(from: string, key: string, value: unknown, what: string): never {
  throw new ParamError(`${from}: ${key} = ${JSON.stringify(value)} ${what}`);
}

/** Sizes and counts: whole numbers ≥ 1 (trainLimit may be 0 where a notebook reads it as "every example"). */
const WHOLE = new Set([
  'testLimit',
  'width',
  'epochs',
  'heldOutEpochs',
  'batchSize',
  'evalEvery',
  'points',
  'gridSteps',
  'hidden',
  'layers',
  'iterations',
  'dSteps',
  'checkpoints',
  'vggWidth',
  'attackLimit',
  'iterativeLimit',
  'probe',
  'secondErmSeed',
]);

/** The rules beyond a value's kind: no negative number anywhere (α ≥ 0 above all), sizes whole and positive, names known. */
function checkRules(key: string, value: unknown, from: string, choices: Choices): void {
  const fail = (what: string) => refuse(from, key, value, what);
  const numbers = (Array.isArray(value) ? value : [value]).filter((v): v is number => typeof v === 'number');
  if (numbers.some((v) => v < 0))
    fail(
      /^alphas?$/.test(key)
        ? "is negative: mixup's α must be ≥ 0 (0 trains ERM), e.g. alpha: 1"
        : 'is negative: give a value ≥ 0',
    );
  if (WHOLE.has(key) && numbers.some((v) => !Number.isInteger(v) || v < 1)) fail('is not a whole number ≥ 1');
  if (key === 'trainLimit' && numbers.some((v) => !Number.isInteger(v))) fail('is not a whole number');
  const known = choices[key];
  if (known && Array.isArray(value)) {
    const names = known.map((k) => JSON.stringify(k)).join(', ');
    if (!value.length) fail(`is empty: name at least one of ${names}`);
    const unknown = value.filter((v) => !known.includes(String(v)));
    if (unknown.length)
      fail(
        `names ${unknown.map((v) => JSON.stringify(v)).join(', ')}, which this notebook does not know: use ${names}`,
      );
  }
}

/** The names a list parameter may hold (notebook 2's methods, the UCI and GAN sets), by key. */
export type Choices = Record<string, readonly string[]>;

/**
 * A value given for `key` must have the kind of the profile's (a number for a number, a list of numbers for a list
 * of numbers…): a typo such as `seeds: 1` or `epochs: '3'` is an error in the cell, not a silently odd run.
 */
function checkValue(key: string, value: unknown, like: unknown, from: string): void {
  const want = kindOf(like);
  const got = kindOf(value);
  const fail = (what: string) => refuse(from, key, value, `is not ${what}`);
  if (key === 'seeds') {
    if (!Array.isArray(value) || !value.length || value.some((s) => !Number.isInteger(s) || s < 0))
      fail('a non-empty list of non-negative whole numbers, e.g. [1, 2, 3]');
    return;
  }
  // An optional protocol (null = none) takes an object, and an object may be set to null.
  if ((want === 'null' && got === 'object') || (want === 'object' && got === 'null')) return;
  if (want !== got) fail(`a ${want} like the profile's ${JSON.stringify(like)}`);
  if (got === 'number' && !Number.isFinite(value as number)) fail('a finite number');
  if (got === 'list' && Array.isArray(like) && like.length) {
    const inner = kindOf(like[0]);
    if ((value as unknown[]).some((x) => kindOf(x) !== inner))
      fail(`a list of ${inner}s like the profile's ${JSON.stringify(like)}`);
  }
}

function checkKeys(given: Record<string, unknown>, base: object, from: string, choices: Choices): void {
  const unknown = Object.keys(given).filter((k) => !(k in base));
  if (unknown.length)
    throw new ParamError(
      `${from} has unknown key(s) ${unknown.join(', ')}: this notebook takes ${Object.keys(base).join(', ')}`,
    );
  for (const [k, v] of Object.entries(given)) {
    checkValue(k, v, (base as Record<string, unknown>)[k], from);
    checkRules(k, v, from, choices);
  }
}

/**
 * A notebook's parameters: the profile's values (`defaults[profile]`), the cell's literals over them, then the
 * environment's overrides. A headless run always sets MIXUP_PROFILE: its profile's values then replace the cell's
 * literals whole (as papermill's injected cell follows the parameters cell), so a report or a test runs what the
 * profile says, whatever the cell was edited to. MIXUP_SEEDS and MIXUP_PARAMS override single values on top.
 */
export function params<T extends BaseParams>(
  defaults: Record<Profile, T>,
  cell: Partial<T> & { profile?: Profile } = {},
  env: NodeJS.ProcessEnv = process.env,
  choices: Choices = {},
): Resolved<T> {
  const { profile: cellProfile, ...literals } = cell as Record<string, unknown> & { profile?: unknown };
  if (cellProfile !== undefined && !isProfile(cellProfile))
    throw new ParamError(
      `the parameters cell: profile = ${JSON.stringify(cellProfile)} is not a profile: use one of ${PROFILES.join(', ')}`,
    );
  const headless = env.MIXUP_PROFILE !== undefined;
  const profile = headless ? readProfile(env) : (cellProfile ?? 'quick');
  const base = defaults[profile];
  const from: Record<string, ParamSource> = Object.fromEntries(Object.keys(base).map((k) => [k, 'profile']));
  let values: Record<string, unknown> = { ...(base as object) };
  if (!headless) {
    checkKeys(literals, base, 'the parameters cell', choices);
    values = { ...values, ...literals };
    for (const k of Object.keys(literals)) from[k] = 'cell';
  }
  if (env.MIXUP_PARAMS) {
    let overrides: Record<string, unknown>;
    try {
      overrides = JSON.parse(env.MIXUP_PARAMS) as Record<string, unknown>;
    } catch (e) {
      throw new ParamError(
        `MIXUP_PARAMS is not valid JSON (${(e as Error).message}): give an object such as {"epochs": 3}`,
      );
    }
    if (kindOf(overrides) !== 'object')
      throw new ParamError(`MIXUP_PARAMS=${env.MIXUP_PARAMS}: give a JSON object such as {"epochs": 3}`);
    checkKeys(overrides, base, 'MIXUP_PARAMS', choices);
    values = { ...values, ...overrides };
    for (const k of Object.keys(overrides)) from[k] = 'MIXUP_PARAMS';
  }
  const seedVar = env.MIXUP_SEEDS ? 'MIXUP_SEEDS' : env.MIXUP_SEED ? 'MIXUP_SEED' : null;
  if (seedVar) {
    values.seeds = parseSeeds(env[seedVar]!, seedVar);
    from.seeds = seedVar;
  }
  const P = { ...values, profile } as Resolved<T>;
  sources.set(P, { ...from, profile: headless ? 'MIXUP_PROFILE' : cellProfile !== undefined ? 'cell' : 'profile' });
  return P;
}

/** A headless run's parameters (the environment alone): what `npm run runs -- manifest` lists a report training. */
export function notebookParams<T extends BaseParams>(
  defaults: Record<Profile, T>,
  env = process.env,
  choices: Choices = {},
): Resolved<T> {
  return params(defaults, {}, { MIXUP_PROFILE: 'quick', ...env }, choices);
}
