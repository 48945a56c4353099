import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_MARKER_VAR, processesMarked, type RunProcess } from './run-processes.ts';

/** How long stragglers get to finish exiting (a server's children after their parent was stopped). */
const GRACE_MS = 5_000;

/**
 * vitest globalSetup: no process may outlive the test run. Before any worker starts, the run
 * gets a marker (ATRIUM_TEST_RUN) and its own temporary directory (TMPDIR), which everything
 * the tests spawn inherits: databases, edges, browsers and their data directories. After the
 * run, any process still carrying the marker is listed, killed and fails the run; the
 * directory goes with whatever temporary files the tests left.
 */
export default function setup(): () => Promise<void> {
  const marker = `atrium-test-run-${process.pid}-${randomBytes(4).toString('hex')}`;
  const runTmp = join(tmpdir(), marker);
  mkdirSync(runTmp);
  // Like /tmp itself: PostgreSQL runs as `nobody` under root and must reach its directory in here.
  chmodSync(runTmp, 0o1777);
  process.env[RUN_MARKER_VAR] = marker;
  process.env.TMPDIR = runTmp;

  return async () => {
    // vitest's own workers have exited by now; its main process and direct helpers are not the tests'.
    const ours = (p: RunProcess) => p.pid !== process.pid && p.ppid !== process.pid;
    let left = processesMarked(marker).filter(ours);
    for (const deadline = Date.now() + GRACE_MS; left.length > 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesMarked(marker).filter(ours);
    }
    if (left.length > 0) {
      console.error(
        [
          '',
          `✖ ${left.length} process(es) outlived the test run (${RUN_MARKER_VAR}=${marker}); a test started them and did not stop them in afterAll:`,
          ...left.map((p) => `    pid ${p.pid} (parent ${p.ppid}): ${p.command}`),
          '  They are killed now, and the run fails.',
          '',
        ].join('\n'),
      );
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      process.exitCode = 1;
    }
    rmSync(runTmp, { recursive: true, force: true });
  };
}
