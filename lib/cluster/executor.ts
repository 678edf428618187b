/**
 * Where runs train when one machine is not enough: `MIXUP_EXECUTOR=redis[s]://[user:password@]host:port[/queue]` names a
 * BullMQ queue on Redis that `npm run worker` processes on any number of machines (lib/cluster/runner). Unset: the local
 * pool.
 *
 * Secrets: the password comes from the URL or, better, from MIXUP_EXECUTOR_PASSWORD_FILE (out of shell history and
 * process lists). It lives only in `Executor.password`: `url` is the URL with the password masked, and it is what every
 * log line, error and progress line prints. TLS (`rediss://`) takes its CA and an optional client certificate and key
 * for mutual TLS from the files MIXUP_EXECUTOR_CA, MIXUP_EXECUTOR_CERT and MIXUP_EXECUTOR_KEY (docs/setup.md).
 */
import fs from 'node:fs';
import { isIP } from 'node:net';
import IORedis, { RedisOptions } from 'ioredis';

export interface Executor {
  /** The URL as given, with its password masked: safe to print. */
  url: string;
  host: string;
  port: number;
  /** The BullMQ queue's name (the URL's path; default mixup-runs). */
  queue: string;
  /** ACL user (absent: Redis's default user). */
  username?: string;
  password?: string;
  /** TLS (rediss://): the CA to trust and, for mutual TLS, this side's certificate and key (PEM contents). */
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
}

export const DEFAULT_QUEUE = 'mixup-runs';

/** The variables that configure the executor beside MIXUP_EXECUTOR (docs/setup.md's table). */
export const EXECUTOR_FILES = {
  password: 'MIXUP_EXECUTOR_PASSWORD_FILE',
  ca: 'MIXUP_EXECUTOR_CA',
  cert: 'MIXUP_EXECUTOR_CERT',
  key: 'MIXUP_EXECUTOR_KEY',
} as const;

/**
 * Where the user-info part of a raw `scheme://user:password@host…` string lies: from `://` to its last `@` (from the
 * scheme's `:`, or the start, in a string that lacks `//`: a mistyped URL is printed in its error too).
 */
function userInfo(raw: string): { start: number; end: number } | null {
  const slashes = raw.indexOf('://');
  const start = slashes >= 0 ? slashes + 3 : (/^[a-z][\w+.-]*:/i.exec(raw)?.[0].length ?? 0);
  const end = raw.lastIndexOf('@');
  return end > start ? { start, end } : null;
}

/**
 * `url` with its password replaced by ***: what may be printed. Masked on the raw string, before any parse: a password
 * holding `/`, `?` or `#` is read by a URL parser as path, query or fragment, and would be printed whole. A plain user
 * name before the first `:` stays; anything else between `://` and the last `@` is masked.
 */
export function maskUrl(url: string): string {
  const at = userInfo(url);
  const trimmed = url.replace(/\/$/, '');
  if (!at) return trimmed;
  const info = url.slice(at.start, at.end);
  const colon = info.indexOf(':');
  const user = colon >= 0 ? info.slice(0, colon) : info;
  const shown = /^[\w.%-]*$/.test(user) ? (colon >= 0 ? `${user}:***` : user) : '***';
  return (url.slice(0, at.start) + shown + url.slice(at.end)).replace(/\/$/, '');
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[?::1\]?)$/;

function readFile(
  variable: string,
  file: string | undefined,
  what: string,
  o: { secret?: boolean } = {},
): string | undefined {
  if (file === undefined || file === '') return undefined;
  try {
    // A secret others can read is no secret: refused before it is used (the docs create these files 0600).
    const mode = fs.statSync(file).mode & 0o777;
    if (o.secret && process.platform !== 'win32' && mode & 0o077)
      throw new Error(
        `${variable}=${file}: ${what} can be read by others (mode 0${mode.toString(8)}): \`chmod 600 ${file}\``,
      );
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e;
    throw new Error(
      `${variable}=${file}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? e}): fix the path`,
    );
  }
}

/**
 * The executor named by `url` (or MIXUP_EXECUTOR), or null when none is: runs then train in the local pool.
 * `warn` is told when credentials would cross the network in clear (plain redis:// to another host).
 */
export function readExecutor(
  url = process.env.MIXUP_EXECUTOR,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (l) => console.warn(l),
): Executor | null {
  if (url === undefined || url.trim() === '') return null;
  const shown = maskUrl(url);
  const at = userInfo(url);
  if (at && /[/?#]/.test(url.slice(at.start, at.end)))
    throw new Error(
      `MIXUP_EXECUTOR=${shown}: its user or password holds an unencoded '/', '?' or '#', which a URL reads as path, ` +
        `query or fragment: percent-encode them (%2F, %3F, %23), or put the password in ${EXECUTOR_FILES.password} ` +
        'and leave it out of the URL',
    );
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`MIXUP_EXECUTOR=${shown} is not a URL: use redis://[user:password@]host:port[/queue]`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(
      `MIXUP_EXECUTOR=${shown}: use redis://[user:password@]host:port[/queue], or rediss://… for TLS (${u.protocol} is not supported)`,
    );
  const queue = decodeURIComponent(u.pathname.replace(/^\//, '')) || DEFAULT_QUEUE;
  if (!/^[\w.-]+$/.test(queue))
    throw new Error(
      `MIXUP_EXECUTOR=${shown}: the queue name '${queue}' may hold letters, digits, '.', '_' and '-' only`,
    );
  const fromFile = readFile(EXECUTOR_FILES.password, env[EXECUTOR_FILES.password], 'the Redis password', {
    secret: true,
  });
  if (fromFile !== undefined && u.password)
    throw new Error(
      `MIXUP_EXECUTOR=${shown} carries a password and ${EXECUTOR_FILES.password} names another: give it in one place`,
    );
  const password = fromFile !== undefined ? fromFile.replace(/\r?\n$/, '') : decodeURIComponent(u.password);
  const username = decodeURIComponent(u.username) || undefined;
  const host = u.hostname || '127.0.0.1';
  const e: Executor = { url: shown, host, port: Number(u.port || 6379), queue };
  if (username) e.username = username;
  if (password) e.password = password;
  if (u.protocol === 'rediss:') {
    // SNI names a host, never an address (RFC 6066); the certificate is checked against either.
    const bare = host.replace(/^\[|\]$/g, '');
    e.tls = isIP(bare) ? {} : { servername: bare };
    const ca = readFile(EXECUTOR_FILES.ca, env[EXECUTOR_FILES.ca], 'the CA certificate');
    const cert = readFile(EXECUTOR_FILES.cert, env[EXECUTOR_FILES.cert], 'the client certificate');
    const key = readFile(EXECUTOR_FILES.key, env[EXECUTOR_FILES.key], 'the client key', { secret: true });
    if ((cert === undefined) !== (key === undefined))
      throw new Error(
        `mutual TLS needs both ${EXECUTOR_FILES.cert} and ${EXECUTOR_FILES.key}: only ${cert ? EXECUTOR_FILES.cert : EXECUTOR_FILES.key} is set`,
      );
    if (ca !== undefined) e.tls.ca = ca;
    if (cert !== undefined) e.tls.cert = cert;
    if (key !== undefined) e.tls.key = key;
  } else if ((password || username) && !LOOPBACK.test(host)) {
    warn(
      `MIXUP_EXECUTOR=${shown}: credentials over plain redis:// to ${host} cross the network in clear; use rediss:// (TLS, docs/cluster.md)`,
    );
  }
  return e;
}

/** What ioredis needs to reach the executor's Redis: address, credentials, TLS. */
function redisOptions(e: Executor): RedisOptions {
  return {
    host: e.host,
    port: e.port,
    ...(e.username ? { username: e.username } : {}),
    ...(e.password ? { password: e.password } : {}),
    ...(e.tls ? { tls: { ...e.tls } } : {}),
  };
}

/** Connection options for BullMQ: blocking commands must not time out (BullMQ's own requirement). */
export function connection(e: Executor): RedisOptions & { maxRetriesPerRequest: null } {
  return { ...redisOptions(e), maxRetriesPerRequest: null };
}

/** A refusal's cause in words: authentication, or TLS, named so that the fix is plain. */
function cause(err: Error, e: Executor): string {
  const m = err.message;
  if (/NOAUTH|WRONGPASS|invalid username-password|Authentication required|AUTH failed/i.test(m))
    return `authentication failed (${m.split('\n')[0]}): give the user and password in MIXUP_EXECUTOR (redis://user:password@host) or ${EXECUTOR_FILES.password}`;
  if (/certificate|self[- ]signed|SSL|TLS|wrong version number|EPROTO/i.test(m))
    return `TLS failed (${m.split('\n')[0]}): ${e.tls ? `set ${EXECUTOR_FILES.ca} to the CA that signed the server's certificate` : 'the server may want TLS: use rediss://'}`;
  return m;
}

/**
 * Fails within `timeoutMs` with an error naming MIXUP_EXECUTOR when Redis does not answer, or refuses this client
 * (authentication, TLS): BullMQ's own connections retry for ever, which would leave a notebook waiting without a word.
 */
export async function assertReachable(e: Executor, timeoutMs = 3000): Promise<void> {
  const redis = new IORedis({
    ...redisOptions(e),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: Error | null = null;
  redis.on('error', (err: Error) => (lastError = err)); // reported below
  const timeout = Symbol('timeout');
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(timeout), timeoutMs)),
    ]);
  } catch (err) {
    // The connection's own last error is the cause (a refused password or certificate closes the connection, and the
    // call then fails with only "Connection is closed").
    const why = lastError
      ? cause(lastError, e)
      : err === timeout
        ? `no answer in ${timeoutMs} ms`
        : cause(err as Error, e);
    throw new Error(
      `cannot reach Redis at ${e.host}:${e.port} (MIXUP_EXECUTOR=${e.url}): ${why.replace(/\.$/, '')}. ` +
        'Start Redis there, point MIXUP_EXECUTOR at it, or unset it to train on this machine.',
    );
  } finally {
    redis.disconnect();
  }
}
