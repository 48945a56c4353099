import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, superviseServer } from '../../../tests/support/processes.ts';
import { runMarker, runMarkerEnv } from '../../../tests/support/run-processes.ts';

/**
 * A real PostgreSQL server for tests: Debian's `postgresql` package (the newest
 * /usr/lib/postgresql/<version>/bin), a fresh cluster made by initdb in a temporary
 * directory, listening on a free loopback port only, password (scram) login for the
 * `atrium` superuser. PostgreSQL refuses to run as root, so as root (CI) the cluster belongs
 * to `nobody` and the server runs as that user. fsync is off: these tests are about SQL and
 * restarts, not power loss. `restart()` keeps the data, like a server restart.
 */
export interface TestPostgres {
  readonly version: string;
  /** a connection URL for `database` (default: `atrium`, created at start) */
  url(database?: string): string;
  /** creates an empty database and returns its URL */
  createDatabase(name: string): Promise<string>;
  /** fast shutdown and start again on the same port and data */
  restart(): Promise<void>;
  /** shuts the server down and removes its data */
  stop(): Promise<void>;
}

const ROOT = '/usr/lib/postgresql';
const USER = 'atrium';
const PASSWORD = 'test-password';

/** The directory with `initdb` and `postgres`: ATRIUM_TEST_PG_BIN, or the newest installed version. */
export function requirePostgres(): { bin: string; version: string } {
  const fromEnv = process.env.ATRIUM_TEST_PG_BIN;
  const candidates = fromEnv
    ? [{ bin: fromEnv, version: 'ATRIUM_TEST_PG_BIN' }]
    : safeList(ROOT)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => ({ bin: join(ROOT, v, 'bin'), version: v }));
  for (const c of candidates) {
    try {
      accessSync(join(c.bin, 'postgres'), constants.X_OK);
      accessSync(join(c.bin, 'initdb'), constants.X_OK);
      return c;
    } catch {
      // try the next version
    }
  }
  throw new Error(
    `PostgreSQL server binaries not found (${fromEnv ? `ATRIUM_TEST_PG_BIN=${fromEnv}` : `${ROOT}/*/bin/postgres`}): these tests run against a real PostgreSQL server. ` +
      'Install it with `apt-get install -y postgresql` (Debian; CI does this in .ci/run) or point ATRIUM_TEST_PG_BIN at a directory holding initdb and postgres.',
  );
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** As root, the uid and gid of `nobody`: initdb and postgres refuse to run as root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root, and there is no `nobody` user to run PostgreSQL as (it refuses to run as root): create one, or run the tests as a non-root user');
  }
}

const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

export async function startPostgres(): Promise<TestPostgres> {
  const { bin, version } = requirePostgres();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-postgres-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PASSWORD}\n`);
  if (user) for (const p of [dir, pwfile]) chownSync(p, user.uid, user.gid);
  // Uids set through spawn: libuv also drops root's supplementary groups. A minimal environment
  // keeps the locale and the caller's PG* variables out of the cluster.
  // The test run's marker goes in too: the global teardown finds leftover servers by it.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC', ...runMarkerEnv() };
  // PostgreSQL rewrites its processes' titles (and with them the environment's memory): the
  // cluster name keeps the run's marker in every one of them, postmaster and children alike.
  const marker = runMarker();
  const clusterName = marker ? ['-c', `cluster_name=${marker}`] : [];
  const spawnOpts = { cwd: dir, env, ...(user ? { uid: user.uid, gid: user.gid } : {}) };

  let port = 0;
  let proc: ChildProcess | undefined;
  let output = (): string => '';
  const url = (database = 'atrium') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

  const canConnect = async () => {
    const c = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  };

  const start = async () => {
    const p = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=40', '-c', 'log_min_messages=warning', ...clusterName],
      { ...spawnOpts, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc = p;
    const supervised = superviseServer(p);
    output = supervised.output;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`postgres exited with ${p.exitCode ?? p.signalCode}: ${output()}`);
      if (await canConnect()) return;
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s: ${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const shutdown = async () => {
    const p = proc;
    if (!p) return;
    p.kill('SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited(p);
    clearTimeout(timer);
    proc = undefined;
  };
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: url('postgres') });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };

  try {
    try {
      execFileSync(
        join(bin, 'initdb'),
        ['-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '-N', '--no-instructions'],
        { ...spawnOpts, stdio: 'pipe', encoding: 'utf8' },
      );
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`initdb failed${user ? ' (as nobody: the temporary directory must be reachable by that user; check TMPDIR)' : ''}: ${e.stderr || e.message}`);
    }
    // Another process may take the port between choosing it and postgres binding it: choose again.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (err) {
        if (attempt >= 3 || !/could not bind|already in use/i.test((err as Error).message)) throw err;
      }
    }
    await admin(`create database ${USER}`);
  } catch (err) {
    // Leave nothing running behind a failed start.
    proc?.kill('SIGKILL');
    if (proc) await exited(proc);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    version,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`test database names are lower-case identifiers: ${name}`);
      await admin(`create database ${name}`);
      return url(name);
    },
    async restart() {
      await shutdown();
      await start();
    },
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
