/**
 * Child processes that never outlive their parent. JupyterLab starts kernels in sessions of their own, nbconvert
 * starts a kernel, tsc --watch runs until killed: a plain `child.kill()` on the direct child, or none at all when an
 * exception skips the `finally`, leaves such grandchildren running and keeps Node's test runner waiting for ever.
 *
 * `spawnTracked` starts a child in its own process group and remembers it. `stopTree` stops the child and every
 * descendant (found through /proc, so kernels in other sessions are found too): SIGTERM first, so JupyterLab can
 * shut its kernels down, SIGKILL for whatever is left after a grace period. On every way out of this process —
 * normal exit, an uncaught exception, SIGINT/SIGTERM/SIGHUP — whatever is still tracked is killed. An AbortSignal
 * (a test's `t.signal`, which fires when the test times out) stops the child too.
 *
 * Written by hand: the npm packages for this (tree-kill and the like) signal one tree once and do not follow
 * processes that changed session; this is the small part they miss, for Linux.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';

const tracked = new Set<ChildProcess>();
const tokens = new WeakMap<ChildProcess, string>();
let hooked = false;
let counter = 0;
/** Every tracked child and all its descendants carry this variable: found even after they change parent or session. */
export const OWNER_VAR = 'MIXUP_LAB_OWNER';

/** The tracked child and every process that descends from it, by parentage or by the inherited token. */
function tree(child: ChildProcess): number[] {
  const pids = new Set<number>(child.pid ? [child.pid, ...descendants(child.pid)] : []);
  const token = tokens.get(child);
  if (token) for (const p of withEnv(OWNER_VAR, token)) pids.add(p);
  return [...pids];
}

/** The pids of every process below `pid`, read from /proc (empty where there is no /proc). */
export function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name (field 2) may hold spaces and parentheses: the parent pid is the 2nd field after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** The pids of processes whose environment holds `name=value` (a token every descendant inherits). */
export function withEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid);
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      if (
        Buffer.concat([Buffer.from('\0'), fs.readFileSync(`/proc/${e}/environ`)]).includes(
          Buffer.concat([Buffer.from('\0'), needle]),
        )
      )
        out.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out.filter(alive);
}

/** Running, not a zombie (a dead child nobody has reaped still answers kill(pid, 0)). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function signalAll(pids: number[], group: number | undefined, sig: NodeJS.Signals): void {
  if (group)
    try {
      process.kill(-group, sig);
    } catch {
      /* the group is gone */
    }
  for (const p of pids)
    try {
      process.kill(p, sig);
    } catch {
      /* already gone */
    }
}

function killNow(child: ChildProcess): void {
  signalAll(tree(child), child.pid, 'SIGKILL');
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of tracked) killNow(c);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      void Promise.all([...tracked].map((c) => stopTree(c, 3000))).finally(() =>
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)),
      );
    });
  }
}

export interface TrackedOptions extends SpawnOptions {
  /** Stops the child (and its tree) when aborted, e.g. a node:test context's `t.signal` on a time-out. */
  signal?: AbortSignal;
}

/** `spawn`, in a process group of its own, stopped with its descendants on every way out of this process. */
export function spawnTracked(command: string, args: string[], options: TrackedOptions = {}): ChildProcess {
  hookExit();
  const { signal, ...rest } = options;
  const token = `${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;
  const child = spawn(command, args, {
    ...rest,
    env: { ...(rest.env ?? process.env), [OWNER_VAR]: token },
    detached: true,
  });
  tokens.set(child, token);
  tracked.add(child);
  child.once('exit', () => {
    // The child is gone, but what it started may not be (a kernel it did not shut down): stop those now.
    signalAll(withEnv(OWNER_VAR, token), child.pid, 'SIGKILL');
    tracked.delete(child);
  });
  child.once('error', () => tracked.delete(child));
  if (signal) {
    const onAbort = () => void stopTree(child);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    child.once('exit', () => signal.removeEventListener('abort', onAbort));
  }
  return child;
}

/** Stops `child` and all its descendants: SIGTERM, then SIGKILL for what is left after `graceMs`. */
export async function stopTree(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!child.pid) return;
  let pids = tree(child);
  signalAll(pids, child.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) {
    await new Promise((r) => setTimeout(r, 100));
    pids = [...new Set([...pids, ...tree(child)])];
  }
  signalAll(pids.filter(alive), child.pid, 'SIGKILL');
  tracked.delete(child);
}

/** How many children this process is still tracking (for tests). */
export function trackedCount(): number {
  return tracked.size;
}

/** Stops every tracked child and its tree: a test file's `after` hook, so a test that threw early leaves nothing. */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...tracked].map((c) => stopTree(c, graceMs)));
}
