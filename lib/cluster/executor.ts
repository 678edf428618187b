/**
 * Where runs train when one machine is not enough: `MIXUP_EXECUTOR=redis://host:port[/queue]` names a BullMQ queue on
 * Redis that `npm run worker` processes on any number of machines (lib/cluster/runner). Unset: the local pool.
 */
import IORedis from 'ioredis';

export interface Executor {
  url: string;
  host: string;
  port: number;
  /** The BullMQ queue's name (the URL's path; default mixup-runs). */
  queue: string;
}

export const DEFAULT_QUEUE = 'mixup-runs';

/** The executor named by `url` (or MIXUP_EXECUTOR), or null when none is: runs then train in the local pool. */
export function readExecutor(url = process.env.MIXUP_EXECUTOR): Executor | null {
  if (url === undefined || url.trim() === '') return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`MIXUP_EXECUTOR=${url} is not a URL: use redis://host:port[/queue]`);
  }
  if (u.protocol !== 'redis:') throw new Error(`MIXUP_EXECUTOR=${url}: only redis://host:port[/queue] is supported`);
  const queue = decodeURIComponent(u.pathname.replace(/^\//, '')) || DEFAULT_QUEUE;
  if (!/^[\w.-]+$/.test(queue))
    throw new Error(`MIXUP_EXECUTOR=${url}: the queue name '${queue}' may hold letters, digits, '.', '_' and '-' only`);
  return { url, host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), queue };
}

/** Connection options for BullMQ: blocking commands must not time out (BullMQ's own requirement). */
export function connection(e: Executor): { host: string; port: number; maxRetriesPerRequest: null } {
  return { host: e.host, port: e.port, maxRetriesPerRequest: null };
}

/**
 * Fails within `timeoutMs` with an error naming MIXUP_EXECUTOR when Redis does not answer: BullMQ's own connections
 * retry for ever, which would leave a notebook waiting without a word.
 */
export async function assertReachable(e: Executor, timeoutMs = 3000): Promise<void> {
  const redis = new IORedis({
    host: e.host,
    port: e.port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // reported below
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]);
  } catch (err) {
    throw new Error(
      `cannot reach Redis at ${e.host}:${e.port} (MIXUP_EXECUTOR=${e.url}): ${(err as Error).message}. ` +
        'Start Redis there, point MIXUP_EXECUTOR at it, or unset it to train on this machine.',
    );
  } finally {
    redis.disconnect();
  }
}
