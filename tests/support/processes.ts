import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A loopback port that was free a moment ago (for services that must come back on the same port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * Children a test started and has not seen exit: killed when this worker ends, even if the
 * test's afterAll never ran. vitest ends its workers with SIGTERM, which skips 'exit'
 * handlers, so the reaper listens for it too and then lets the signal end the worker as before.
 * (afterAll is still where a test stops what it started; the global teardown checks it did.)
 */
const owned = new Set<ChildProcess>();
let reaperInstalled = false;
function own(p: ChildProcess): void {
  owned.add(p);
  p.once('exit', () => owned.delete(p));
  if (reaperInstalled) return;
  reaperInstalled = true;
  const reap = () => {
    for (const c of owned) c.kill('SIGKILL');
  };
  process.once('exit', reap);
  process.once('SIGTERM', () => {
    reap();
    process.kill(process.pid, 'SIGTERM');
  });
}

export const exited = (p: ChildProcess): Promise<void> =>
  new Promise((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

/** SIGTERM, SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(p: ChildProcess, graceMs = 5_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited(p);
  clearTimeout(timer);
}

/** Runs a package entry point as its own process, the way it is deployed; stderr/stdout kept for failures. */
export function startEntryPoint(entry: string, env: Record<string, string>, args: readonly string[] = []): ChildProcess & { output: () => string } {
  // node itself with tsx as a loader: one process, so a SIGKILL hits the service and not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  own(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

/** Runs a command-line tool (a package's CLI) to its end as its own process, the way an operator does. */
export function runCli(entry: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  own(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // A server that takes the connection and never answers must not hold the wait past its deadline.
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A server binary a test started: killed with the test process even when afterAll never runs,
 * and its last output kept for the error message when it fails to come up.
 */
export function superviseServer(p: ChildProcess): { output: () => string } {
  let output = '';
  own(p);
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  return { output: () => output };
}
