import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../errors.ts';

const LOCK_FILE = 'atrium-cloud.pid';

/** When a process started (Linux: clock ticks since boot), so a pid reused after a restart is not taken for the holder. */
function startOf(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function holds(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startOf(pid);
  return started === undefined || now === undefined || now === started;
}

/**
 * PGlite takes no lock of its own: a second process that opens the same directory (a second
 * cloud, or the gateways CLI beside a running one) gets its own copy of the database in
 * memory and writes over the first's files. A pid file in the directory keeps it to one
 * process; one left by a process that died (kill -9, power cut) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = `${process.pid} ${startOf('self') ?? '-'}`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${mine}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const [pidText, started] = readFileSync(path, 'utf8').trim().split(' ');
      const holder = Number(pidText);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && holds(holder, started === '-' ? undefined : started)) throw new Errors.DatabaseInUse(dir, holder);
      unlinkSync(path);
    }
  }
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === mine) unlinkSync(path);
    } catch {
      // already gone: nothing to release
    }
  };
}
