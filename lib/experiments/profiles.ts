/**
 * Notebook parameters: each notebook declares its knobs per size profile, and a headless run overrides them
 * through the environment:
 *   MIXUP_PROFILE = smoke | quick | lowdata | paper   (default quick)
 *   MIXUP_SEEDS   = "1,2,3"                 (or MIXUP_SEED = "7"; default: the profile's seeds)
 *   MIXUP_PARAMS  = '{"epochs": 3}'         (JSON, merged over the profile; unknown keys are an error)
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

export function readProfile(env = process.env): Profile {
  const p = (env.MIXUP_PROFILE ?? 'quick').trim();
  if (!(PROFILES as readonly string[]).includes(p))
    throw new Error(`MIXUP_PROFILE=${p} is not a profile: use one of ${PROFILES.join(', ')}`);
  return p as Profile;
}

function parseSeeds(text: string, from: string): number[] {
  const seeds = text.split(',').map((s) => Number(s.trim()));
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`${from}=${text}: seeds are non-negative integers, comma-separated`);
  return seeds;
}

export function notebookParams<T extends BaseParams>(defaults: Record<Profile, T>, env = process.env): Resolved<T> {
  const profile = readProfile(env);
  const base = defaults[profile];
  let overrides: Record<string, unknown> = {};
  if (env.MIXUP_PARAMS) {
    try {
      overrides = JSON.parse(env.MIXUP_PARAMS) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`MIXUP_PARAMS is not valid JSON (${(e as Error).message}): give an object such as {"epochs": 3}`);
    }
    const unknown = Object.keys(overrides).filter((k) => !(k in base));
    if (unknown.length)
      throw new Error(
        `MIXUP_PARAMS has unknown key(s) ${unknown.join(', ')}: this notebook takes ${Object.keys(base).join(', ')}`,
      );
  }
  const seeds = env.MIXUP_SEEDS
    ? parseSeeds(env.MIXUP_SEEDS, 'MIXUP_SEEDS')
    : env.MIXUP_SEED
      ? parseSeeds(env.MIXUP_SEED, 'MIXUP_SEED')
      : undefined;
  return { ...base, ...overrides, ...(seeds ? { seeds } : {}), profile } as Resolved<T>;
}
