import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { superviseServer } from '../../../tests/support/processes.ts';

/**
 * A real InfluxDB 1.x server for tests: Debian's `influxdb` package (`/usr/bin/influxd`),
 * started on free loopback ports in a temporary directory with its own config file, auth on
 * (an admin user is created first), reporting and the internal monitor off. `kill()` and
 * `start()` again keep the same data directory, like a crash and a restart.
 */
export interface TestInfluxd {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Runs one InfluxQL statement as admin (POST /query). */
  admin(q: string, db?: string): Promise<unknown>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const INFLUXD_BIN = process.env.ATRIUM_TEST_INFLUXD ?? '/usr/bin/influxd';

export function requireInfluxd(): string {
  try {
    accessSync(INFLUXD_BIN, constants.X_OK);
    return INFLUXD_BIN;
  } catch {
    throw new Error(
      `InfluxDB server binary not found at ${INFLUXD_BIN}: these tests run against a real InfluxDB 1.x. ` +
        'Install it with `apt-get install -y influxdb` (Debian; CI does this in .ci/run) or point ATRIUM_TEST_INFLUXD at an influxd binary.',
    );
  }
}

/** Distinct free loopback ports (all held open together, so no two are the same). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

export async function startInfluxd(opts: { maxBodySize?: number } = {}): Promise<TestInfluxd> {
  const bin = requireInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-influxd-'));
  const conf = join(dir, 'influxd.conf');
  let url = '';
  const configure = async () => {
    const [httpPort, rpcPort] = await freePorts(2);
    url = `http://127.0.0.1:${httpPort}`;
    writeFileSync(
      conf,
      `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = true
  log-enabled = false
  max-body-size = ${opts.maxBodySize ?? 25_000_000}
[continuous_queries]
  enabled = false
[logging]
  level = "error"
  suppress-logo = true
`,
    );
  };
  const username = 'atrium-admin';
  const password = 'test-password';
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  let proc: ChildProcess | undefined;
  let output = (): string => '';

  const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));
  const start = async () => {
    const p = spawn(bin, ['run', '-config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    const supervised = superviseServer(p);
    output = supervised.output;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`influxd exited with ${p.exitCode ?? p.signalCode}: ${output()}`);
      const ok = await fetch(`${url}/ping`).then((r) => r.status === 204, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping within 20 s: ${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const admin = async (q: string, db?: string) => {
    const res = await fetch(`${url}/query${db ? `?db=${encodeURIComponent(db)}` : ''}`, {
      method: 'POST',
      headers: { Authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q }).toString(),
    });
    const body = (await res.json()) as { error?: string; results?: Array<{ error?: string }> };
    const error = body.error ?? body.results?.find((r) => r.error)?.error;
    if (!res.ok || error) throw new Error(`influxd refused ${q}: ${res.status} ${error ?? ''}`);
    return body;
  };

  try {
    // Another process may take a port between choosing it and influxd binding it: choose again.
    for (let attempt = 1; ; attempt++) {
      await configure();
      try {
        await start();
        break;
      } catch (err) {
        if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
      }
    }
    // With auth on and no users yet, 1.x lets exactly this statement through unauthenticated;
    // right after start-up the meta store may still refuse it, so ask until it is done.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(`${url}/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ q: `CREATE USER "${username}" WITH PASSWORD '${password}' WITH ALL PRIVILEGES` }).toString() });
      const body = (await res.json().catch(() => ({}))) as { error?: string; results?: Array<{ error?: string }> };
      const error = body.error ?? body.results?.find((r) => r.error)?.error;
      if (res.ok && !error) break;
      if (Date.now() > deadline) throw new Error(`influxd did not create the admin user: ${res.status} ${error ?? ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await admin('SHOW DATABASES');
  } catch (err) {
    // Leave nothing running behind a failed start.
    if (proc) {
      proc.kill('SIGKILL');
      await exited(proc);
    }
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    username,
    password,
    admin,
    start,
    async kill() {
      const p = proc;
      if (!p) return;
      p.kill('SIGKILL');
      await exited(p);
      proc = undefined;
    },
    async stop() {
      const p = proc;
      if (p) {
        p.kill('SIGTERM');
        const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
        await exited(p);
        clearTimeout(timer);
        proc = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
