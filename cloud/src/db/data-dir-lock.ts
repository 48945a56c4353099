import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Errors } from '../errors.ts';

const LOCK_FILE = 'atrium-cloud.lock';
/** The holder touches the lock this often; a lock from another host (container) untouched for STALE_MS is left over. */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 20_000;

interface Holder {
  pid: number;
  /** when the process started (Linux: clock ticks since boot), so a pid reused after a restart is not taken for the holder */
  start: string | null;
  host: string;
}

function startOf(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(holder: Holder, path: string): boolean {
  // Another host or container sharing the volume: its pids mean nothing here, its heartbeat does.
  if (holder.host !== hostname()) return Date.now() - statSync(path).mtimeMs < STALE_MS;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startOf(holder.pid);
  return holder.start === null || now === null || now === holder.start;
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, start: h.start ?? null, host: h.host } : null;
  } catch {
    return null; // half-written or not ours: taken over
  }
}

/**
 * PGlite takes no lock of its own: a second process that opens the same directory (a second
 * cloud, or the gateways CLI beside a running one) gets its own copy of the database in
 * memory and writes over the first's files. A lock file in the directory keeps it to one
 * process, across containers sharing the volume too; one left by a process that died
 * (kill -9, power cut) is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, start: startOf('self'), host: hostname() } satisfies Holder);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${mine}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = readHolder(path);
      if (holder && alive(holder, path)) throw new Errors.DatabaseInUse(dir, `process ${holder.pid} on ${holder.host}`);
      unlinkSync(path);
    }
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // the directory went away: nothing left to guard
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    try {
      if (readFileSync(path, 'utf8').trim() === mine) unlinkSync(path);
    } catch {
      // already gone: nothing to release
    }
  };
}
