import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/db/data-dir-lock.ts';
import { stopChild } from '../../../tests/support/processes.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'atrium-lock-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const lockPath = (d: string) => join(d, 'atrium-cloud.lock');
const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('one process at a time on an embedded database directory', () => {
  it('refuses while another live process holds it, naming it; takes it over once that process is gone', async () => {
    const d = fresh();
    const other = spawn('sleep', ['60']);
    try {
      writeFileSync(lockPath(d), JSON.stringify({ pid: other.pid, start: startOf(other.pid!), host: hostname() }));
      expect(() => lockDataDir(d)).toThrow(expect.objectContaining({ code: 'ATRIUM_DATABASE_IN_USE', message: expect.stringContaining(`process ${other.pid}`) }));
    } finally {
      await stopChild(other);
    }
    const release = lockDataDir(d); // its holder died (as after kill -9): taken over
    expect(JSON.parse(readFileSync(lockPath(d), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    release();
    expect(existsSync(lockPath(d))).toBe(false);
  });

  it('does not take a reused pid for the holder: the process start time must match too', () => {
    const d = fresh();
    writeFileSync(lockPath(d), JSON.stringify({ pid: 1, start: 'not-when-pid-1-started', host: hostname() }));
    lockDataDir(d)();
  });

  it('trusts a heartbeat, not a pid, from another host sharing the volume: fresh is held, stale is left over', () => {
    const d = fresh();
    writeFileSync(lockPath(d), JSON.stringify({ pid: process.pid + 1, start: null, host: 'another-container' }));
    expect(() => lockDataDir(d)).toThrow(expect.objectContaining({ code: 'ATRIUM_DATABASE_IN_USE', message: expect.stringContaining('another-container') }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(d), old, old);
    lockDataDir(d)();
  });
});
