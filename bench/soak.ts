import { spawn, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { exited, REPO, stopChild } from '../tests/support/processes.ts';
import { progress, writeResult } from './support.ts';

/**
 * The soak: `npm start` as a user runs it (simulated mall → edge → cloud, embedded PGlite
 * stores on disk, a fresh data directory) left running for simulated days at high speed.
 * Every `sampleEveryS` it records the resident memory of the process tree (/proc), what the
 * cloud's and the edge's /health say (uplinks stored, open alarms and orders, outbox backlog)
 * and how far the engine's clock has come, so the curve shows both memory and whether the
 * stack kept up with the speed (simulated time per real second against `speed`).
 * Limit: the whole tree under 1.5 GB for a simulated month.
 */
export const SOAK_LIMIT_MB = 1536;
const DAY = 86_400_000;

const mib = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

/** The process and its descendants (tsx, Node-RED or anything else it starts). */
function tree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

function rssOf(pids: number[]): { rssMb: number; hwmMb: number } {
  let rss = 0;
  let hwm = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      hwm += Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return { rssMb: mib(rss), hwmMb: mib(hwm) };
}

function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += duBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

async function getJson(url: string): Promise<{ body: Record<string, unknown> | null; ms: number }> {
  const t0 = performance.now();
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    return { body: (await r.json()) as Record<string, unknown>, ms: Math.round(performance.now() - t0) };
  } catch {
    return { body: null, ms: Math.round(performance.now() - t0) };
  }
}

type Health = { store?: { uplinks?: number }; dispatch?: { openAlarms: number; activeOrders: number; queuedObservations: number; lastStepAt: number | null } };
type EdgeHealth = { outbox?: { outboxRows?: number } };

export interface SoakOptions {
  speed: number;
  simulatedDays: number;
  sampleEveryS: number;
  /** keep the data directory (for a look at it afterwards) */
  keep?: boolean;
  /** stop after this long even if the simulated days are not covered (default twice the planned time, at least 10 min) */
  maxRealMinutes?: number;
}

export async function benchSoak(o: SoakOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-soak-'));
  const args = ['--import', 'tsx', 'scripts/start.ts', '--speed', String(o.speed), '--closed-speed', String(o.speed), '--data-dir', dataDir, '--port', '0', '--edge-port', '0', '--edge-http-port', '0', '--log-level', 'warn'];
  // node with tsx as a loader, like the tests' entry points: the pid sampled is the stack itself.
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let urls: { cloud: string; edge: string };
  try {
    urls = await addresses(child, () => tail);
  } catch (err) {
    await stopChild(child, 1000);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const realStart = Date.now();
  // A stack that cannot keep up with the speed covers less simulated time: it runs until the
  // engine's clock has covered the days asked for, or for `maxRealMinutes`, whichever first.
  const plannedMs = (o.simulatedDays * DAY) / o.speed;
  const realMs = (o.maxRealMinutes ?? Math.max(10, (2 * plannedMs) / 60_000)) * 60_000;
  progress(`soak: ${o.simulatedDays} simulated days at ${o.speed}× (${Math.round(plannedMs / 60_000)} min real if it keeps up, at most ${Math.round(realMs / 60_000)}), data in ${dataDir}`);
  const samples: Sample[] = [];
  const end: StopInfo = { peakHwmMb: null, stoppedCleanly: false, stopS: null };
  let exitedEarly = false;
  child.once('exit', () => (exitedEarly = true));
  try {
    while (Date.now() - realStart < realMs && !exitedEarly && (samples.at(-1)?.simDays ?? 0) < o.simulatedDays) {
      await new Promise((r) => setTimeout(r, o.sampleEveryS * 1000));
      if (exitedEarly) break;
      const pids = tree(child.pid!);
      const mem = rssOf(pids);
      const [cloud, edge] = await Promise.all([getJson(`${urls.cloud}/health`), getJson(`${urls.edge}/health`)]);
      const h = cloud.body as Health | null;
      const e = edge.body as EdgeHealth | null;
      const stepAt = h?.dispatch?.lastStepAt ?? null;
      const s = {
        realS: Math.round((Date.now() - realStart) / 1000),
        // The simulation starts on the wall clock when the addresses are printed; the engine steps on its clock.
        simDays: stepAt !== null ? Math.round(((stepAt - realStart) / DAY) * 100) / 100 : null,
        rssMb: mem.rssMb,
        processes: pids.length,
        uplinks: h?.store?.uplinks ?? null,
        openAlarms: h?.dispatch?.openAlarms ?? null,
        activeOrders: h?.dispatch?.activeOrders ?? null,
        queuedObservations: h?.dispatch?.queuedObservations ?? null,
        outboxUplinks: e?.outbox?.outboxRows ?? null,
        healthMs: cloud.ms,
        dataDirMb: mib(duBytes(dataDir)),
      };
      samples.push(s);
      progress(`soak: ${JSON.stringify(s)}`);
    }
  } finally {
    const peak = rssOf(tree(child.pid!));
    const stopT0 = Date.now();
    // Ctrl-C, as a user stops it: the edge drains to the cloud and everything closes.
    child.kill('SIGINT');
    const clean = await Promise.race([exited(child).then(() => child.exitCode === 0), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
    if (!clean) await stopChild(child, 1000);
    const stopS = Math.round((Date.now() - stopT0) / 100) / 10;
    if (!o.keep) rmSync(dataDir, { recursive: true, force: true });
    Object.assign(end, { peakHwmMb: peak.hwmMb, stoppedCleanly: clean, stopS });
  }
  if (exitedEarly && samples.length === 0) throw new Error(`npm start exited during the soak:\n${tail}`);
  return summarise(o, samples, end);
}

/** The addresses `npm start` prints once it is up (a fresh data directory provisions the fleet first: minutes on a busy machine). */
function addresses(child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>, output: () => string): Promise<{ cloud: string; edge: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not print its addresses within 10 min:\n${output()}`)), 600_000);
    const look = () => {
      const cloud = /Atrium(?: control room)?: (http:\/\/[^/\s]+)\//.exec(output())?.[1];
      const edge = /Edge health\/metrics: (http:\/\/[^/\s]+)\/health/.exec(output())?.[1];
      if (!cloud || !edge) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve({ cloud, edge });
    };
    child.stdout.on('data', look);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing its addresses:\n${output()}`)));
  });
}

type StopInfo = { peakHwmMb: number | null; stoppedCleanly: boolean; stopS: number | null };
type Sample = { realS: number; simDays: number | null; rssMb: number; processes: number; uplinks: number | null; openAlarms: number | null; activeOrders: number | null; queuedObservations: number | null; outboxUplinks: number | null; healthMs: number; dataDirMb: number };

function summarise(o: SoakOptions, samples: Sample[], end: StopInfo) {
  // The last sample the engine answered in (its clock is how far the simulation got).
  const last = samples.filter((s) => s.simDays !== null).at(-1);
  const peakRssMb = Math.max(...samples.map((s) => s.rssMb));
  // Whether the stack kept up: simulated time the engine covered per real second, against the speed.
  const covered = last?.simDays !== null && last?.simDays !== undefined && last.realS > 0 ? (last.simDays * DAY) / (last.realS * 1000) : 0;
  // Memory at the end of each simulated day (the sample closest after it), to read growth per day.
  const byDay: Array<{ day: number; rssMb: number; dataDirMb: number }> = [];
  for (let d = 1; d <= Math.floor(last?.simDays ?? 0); d++) {
    const s = samples.find((x) => (x.simDays ?? 0) >= d);
    if (s) byDay.push({ day: d, rssMb: s.rssMb, dataDirMb: s.dataDirMb });
  }
  const tailDays = byDay.slice(Math.min(1, byDay.length - 1));
  const growthMbPerDay = tailDays.length >= 2 ? Math.round(((tailDays.at(-1)!.rssMb - tailDays[0]!.rssMb) / (tailDays.at(-1)!.day - tailDays[0]!.day)) * 10) / 10 : null;
  return {
    speed: o.speed,
    simulatedDays: o.simulatedDays,
    reachedDays: last?.simDays ?? 0,
    keptUp: Math.round((covered / o.speed) * 100) / 100,
    limitMb: SOAK_LIMIT_MB,
    peakRssMb,
    peakHwmMb: end.peakHwmMb,
    withinLimit: peakRssMb < SOAK_LIMIT_MB,
    growthMbPerDay,
    maxHealthMs: Math.max(...samples.map((s) => s.healthMs)),
    uplinksStored: last?.uplinks ?? null,
    dataDirMb: last?.dataDirMb ?? null,
    stoppedCleanly: end.stoppedCleanly,
    stopS: end.stopS,
    byDay,
    samples,
  };
}

export const soakRows = (r: Awaited<ReturnType<typeof benchSoak>>) => [
  `| npm start soak, ${r.reachedDays} simulated days at ${r.speed}× (kept up ×${r.keptUp}): peak RSS / growth per day | ${r.peakRssMb} MB (limit ${r.limitMb} MB) / ${r.growthMbPerDay ?? '–'} MB per simulated day; data dir ${r.dataDirMb} MB, stopped cleanly: ${r.stoppedCleanly} |`,
];

// `npx tsx bench/soak.ts [--speed 60] [--days 7] [--month] [--max-minutes M] [--keep]`: the soak alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { speed: { type: 'string', default: '60' }, days: { type: 'string', default: '7' }, month: { type: 'boolean', default: false }, every: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false }, 'max-minutes': { type: 'string' } } });
  const r = await benchSoak({
    speed: Number(values.speed), simulatedDays: values.month ? 30 : Number(values.days), sampleEveryS: Number(values.every), keep: values.keep,
    ...(values['max-minutes'] !== undefined && { maxRealMinutes: Number(values['max-minutes']) }),
  });
  const path = writeResult('soak', r);
  console.log(`${soakRows(r).join('\n')}\nwritten to ${path}`);
  process.exit(0);
}
