import { readFileSync, readdirSync } from 'node:fs';

/**
 * Every process a test run starts carries the run's marker: in its environment (set by the
 * global setup before any worker starts, so everything spawned inherits it) and, for servers
 * that rewrite their own environment and title (PostgreSQL), in its command line. After the
 * run, whatever still carries it has outlived its test.
 */
export const RUN_MARKER_VAR = 'ATRIUM_TEST_RUN';

/** The run's marker, or undefined outside a test run (a script using the test helpers). */
export const runMarker = (): string | undefined => process.env[RUN_MARKER_VAR] || undefined;

/** For spawns that build their environment from scratch: the marker, so they stay findable. */
export function runMarkerEnv(): Record<string, string> {
  const marker = runMarker();
  return marker ? { [RUN_MARKER_VAR]: marker } : {};
}

export interface RunProcess {
  pid: number;
  ppid: number;
  command: string;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or another user's environment (the command line is always readable)
  }
};

/** Live processes whose environment or command line holds `marker` (Linux /proc). */
export function processesMarked(marker: string): RunProcess[] {
  const found: RunProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = read(`/proc/${entry}/cmdline`);
    if (cmdline === undefined || cmdline === '') continue; // kernel threads and zombies have none
    const environ = read(`/proc/${entry}/environ`) ?? '';
    if (!cmdline.includes(marker) && !environ.split('\0').includes(`${RUN_MARKER_VAR}=${marker}`)) continue;
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const stat = read(`/proc/${entry}/stat`) ?? '';
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    found.push({ pid: Number(entry), ppid, command: cmdline.replace(/\0+$/, '').replace(/\0/g, ' ').slice(0, 300) });
  }
  return found;
}
