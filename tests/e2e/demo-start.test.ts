import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signIn } from '../support/browser.ts';
import { eventually } from '../support/device.ts';
import { miniSite } from '../support/mini-site.ts';
import { exited, startEntryPoint } from '../support/processes.ts';

/**
 * `npm start` as a person runs it (scripts/start.ts, its own process, on the mini mall so it is
 * quick): the options it prints, a restart that continues the simulated mall where the last run
 * ended without writing any hour a second time, and the demo cleaner taking a job on the phone
 * at the default pace.
 */
const HOUR = 3_600_000;
type Run = ReturnType<typeof startEntryPoint>;

function start(dataDir: string, siteFile: string, extra: string[] = []): Run {
  return startEntryPoint('scripts/start.ts', { LOG_LEVEL: 'info' }, ['--site', siteFile, '--data-dir', dataDir, '--port', '0', '--edge-port', '0', '--edge-http-port', '0', ...extra]);
}

/** The page address, once the addresses are printed. */
async function pageOf(run: Run): Promise<string> {
  return eventually(() => /Atrium: (http:\/\/\S+\/)/.exec(run.output())?.[1], 150_000, `npm start's addresses; it said:\n${run.output().slice(-2000)}`);
}

/** Ctrl-C, and a clean exit. */
async function stop(run: Run): Promise<void> {
  run.kill('SIGINT');
  await exited(run);
  expect(run.exitCode, run.output().slice(-3000)).toBe(0);
}

describe('npm start --help', () => {
  it('prints every option on a line of its own and exits 0', async () => {
    const run = startEntryPoint('scripts/start.ts', {}, ['--help']);
    await exited(run);
    expect(run.exitCode).toBe(0);
    const lines = run.output().split('\n');
    for (const option of ['--speed', '--closed-speed', '--seed', '--port', '--edge-port', '--edge-http-port', '--data-dir', '--site', '--no-sim', '--log-level', '--help']) {
      expect(lines.filter((l) => new RegExp(`^\\s+(-\\w, )?${option}\\b`).test(l)), option).toHaveLength(1);
    }
    expect(run.output()).toMatch(/--speed N\s+.*\(default 10\)/);
  });

  it('refuses an option it does not know, naming it', async () => {
    const run = startEntryPoint('scripts/start.ts', {}, ['--sped', '5']);
    await exited(run);
    expect(run.exitCode).toBe(2);
    expect(run.output()).toContain("Unknown option '--sped'");
  });
});

describe('a restarted demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-demo-'));
  const siteFile = join(dir, 'site.json');
  const dataDir = join(dir, 'data');
  // The demo's midday crowd in the mini mall's 200 m2 hall is more than the edge finds plausible (4 per m2): a bigger hall.
  writeFileSync(siteFile, JSON.stringify({ ...miniSite, zones: miniSite.zones.map((z) => (z.id === 'hall' ? { ...z, areaM2: 5000 } : z)) }));
  const mark = () => (JSON.parse(readFileSync(join(dataDir, 'sim-clock'), 'utf8')) as { until: number }).until;
  let first: Run | undefined;
  let second: Run | undefined;
  let browser: Browser | undefined;
  let page = '';
  let adminKey = '';
  let firstStart = 0;
  let restartAt = 0;
  /** hourly shop footfall as the store has it after the first run, before the second writes anything */
  let before: Map<number, number>;

  const hourly = async (from: number, to: number): Promise<Map<number, number>> => {
    const r = await fetch(`${page}api/v1/series/footfall?subjectKind=shop&from=${from}&to=${to}&every=1h`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(r.status).toBe(200);
    const hours = new Map<number, number>();
    for (const p of (await r.json()) as { t: number; in: number; out: number }[]) hours.set(p.t, (hours.get(p.t) ?? 0) + p.in + p.out);
    return hours;
  };

  beforeAll(async () => {
    // The first run goes fast: hours of the simulated mall in seconds, then Ctrl-C.
    first = start(dataDir, siteFile, ['--speed', '1800', '--closed-speed', '1800']);
    page = await pageOf(first);
    adminKey = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    await eventually(() => (first!.output().includes('demo history written') ? true : undefined), 90_000, 'the demo history');
    firstStart = (JSON.parse(readFileSync(join(dataDir, 'demo-history.json'), 'utf8')) as { end: number }).end;
    await eventually(() => (mark() >= firstStart + 4 * HOUR ? true : undefined), 60_000, 'four simulated hours');
    await stop(first);
    restartAt = mark();
    // The second at the default pace, where a person can follow it.
    second = start(dataDir, siteFile);
    page = await pageOf(second);
    before = await hourly(firstStart - 6 * HOUR, restartAt);
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    for (const run of [first, second]) if (run && run.exitCode === null && run.signalCode === null) await stop(run);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts where the last run ended and writes no stored hour a second time', async () => {
    expect(second!.output()).toContain('where the last run ended');
    // The history and the first run's hours are all there, none at or after where the second run starts.
    for (let t = firstStart - 6 * HOUR; t < restartAt - HOUR; t += HOUR) expect(before.has(t), new Date(t).toISOString()).toBe(true);
    expect([...before.keys()].every((t) => t < restartAt)).toBe(true);
    // The second run's first hour is the one after the first run's last: nothing skipped back over.
    const next = await eventually(async () => {
      const h = await hourly(restartAt, restartAt + HOUR);
      // (a record, even of nobody: the restart may fall in the night)
      return h.has(restartAt) ? h : undefined;
    }, 60_000, `footfall from the restarted mall at ${new Date(restartAt).toISOString()}; it said:\n${second!.output().slice(-3000)}`);
    expect([...next.keys()]).toEqual([restartAt]);
    // Count reconciliation: every hour stored before the restart has the same total after it.
    expect(await hourly(firstStart - 6 * HOUR, restartAt)).toEqual(before);
  }, 90_000);

  it('lets the demo cleaner sign in and take a job on the staff app before it moves on', async () => {
    expect(second!.output()).toMatch(/demo-cleaner · password \S+\s+→ the staff app/);
    const password = readFileSync(join(dataDir, 'demo-password'), 'utf8').trim();
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    try {
      await signIn(context, page, 'demo-cleaner', password);
      const phone = await context.newPage();
      await phone.goto(`${page}staff.html`);
      await phone.waitForLoadState('networkidle');
      // With the app open, the control room raises a job in the restroom where the demo cleaner starts: theirs as the nearest cleaner.
      const raised = await fetch(`${page}api/v1/work-orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ zoneId: 'wc', type: 'spill', role: 'cleaner', note: 'a spill by the basins' }),
      });
      expect(raised.status, await raised.clone().text()).toBe(201);
      const order = (await raised.json()) as { id: string; assignee: string | null };
      expect(order.assignee).toBe('demo-cleaner');
      const accept = phone.getByRole('button', { name: /^Accept/ }).first();
      await accept.waitFor({ timeout: 30_000 });
      await accept.click();
      // At the default pace the 5 site minutes to accept are half a real minute: time enough for a person.
      await expect
        .poll(async () => {
          const r = await context.request.get(`${page}api/v1/work-orders/${order.id}`);
          return ((await r.json()) as { status: string; assignee: string }).status;
        }, { timeout: 20_000 })
        .toBe('accepted');
    } finally {
      await context.close();
    }
  }, 90_000);
});
