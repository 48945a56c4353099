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

/** Runs a package entry point as its own process, the way it is deployed; stderr/stdout kept for failures. */
export function startEntryPoint(entry: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  // node itself with tsx as a loader: one process, so a SIGKILL hits the service and not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
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
  const reap = () => p.kill('SIGKILL');
  process.once('exit', reap);
  p.once('exit', () => process.off('exit', reap));
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  return { output: () => output };
}
