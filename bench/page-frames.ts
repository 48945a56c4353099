import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { CDPSession, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { LIVE_EVENTS, deviceTopic, loadSiteFile, type ZoneLive } from '@atrium/shared';
import { startStack } from '../scripts/stack.ts';
import { launchChromium, signIn } from '../tests/support/browser.ts';
import { connectDevice } from '../tests/support/device.ts';
import { withZones } from './big-mall.ts';
import { summarizeProfile, type CpuProfile } from './cpu-profile.ts';
import { percentile, progress } from './support.ts';

/**
 * The live control room (index.html) on a wall screen (1920×1080) in Debian's Chromium, on a
 * mall of `zones` zones, each counted by one radar. Every zone's radar publishes its count to
 * the edge once a second (spread evenly over the second, as independent radars would); the
 * edge sends the changed zones to the cloud every 100 ms and the cloud pushes them to the page
 * over socket.io: the whole real path. Three kinds of phase, interleaved over `rounds` so drift
 * on a shared machine lands on all of them:
 *  - idle: no radar publishes (the baseline the brief asks for: zones not updating);
 *  - unchanged: every radar publishes the count it published last, so the page receives every
 *    zone every second and finds nothing to draw (the cost of the traffic alone);
 *  - updating: every radar publishes a new count, so every zone's number changes every second.
 * Measured in the page: requestAnimationFrame deltas and 'longtask' entries; through the
 * debugging protocol, the renderer's main-thread time (wall and CPU; script, style, layout);
 * after each phase, how long the page took to show every sampled zone's last count. The next
 * phase starts only once the page has caught up and nothing is in flight.
 * Line crossings are sent as 0 and there are no environment sensors: footfall and CO₂ change
 * at most once a minute in the real mall, and would land in whichever phase their minute closes.
 * The edge's minute uplink still re-sends every zone once a minute (footfall 0, nothing new to
 * draw): those 500 pushes fall in whichever phase is running, idle included.
 */
export interface PageFramesOptions {
  zones: number;
  /** seconds per measured phase; each kind is measured `rounds` times */
  phaseS: number;
  rounds: number;
  /** also record a CPU profile of the page during the first updating phase and write it here */
  profileDir?: string;
}

type Phase = 'idle' | 'unchanged' | 'updating';
const PHASES: Phase[] = ['idle', 'unchanged', 'updating'];
/**
 * Chromium's main-thread timers (Performance.getMetrics), seconds, summed over a phase's rounds.
 * The durations are wall time, which a loaded machine stretches while the renderer waits for a
 * core; ThreadTime is the CPU the main thread actually used, the steadier figure here.
 */
const CDP_TIMES = ['TaskDuration', 'ThreadTime', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'] as const;
const TICKS_PER_SECOND = 10;
/** Before a phase, once the page shows the last counts: the last updates' highlights (1.2 s at most) are over. */
const SETTLE_MS = 1500;

/**
 * Injected before the page's own scripts: a requestAnimationFrame loop and a long-task observer
 * that record only between start() and stop(). A string, not a function, so the bench's
 * transpiler cannot slip helpers into it.
 */
const PROBE = `(() => {
  const s = { on: false, last: 0, deltas: [], longTasks: [] };
  const loop = (t) => { if (s.on && s.last) s.deltas.push(t - s.last); s.last = t; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  new PerformanceObserver((list) => { if (s.on) for (const e of list.getEntries()) s.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  window.__pageFrames = {
    start() { s.deltas = []; s.longTasks = []; s.last = 0; s.on = true; },
    stop() { s.on = false; return { deltas: s.deltas, longTasks: s.longTasks }; },
  };
})();`;

interface Sample {
  seconds: number;
  deltas: number[];
  longTasks: number[];
  cdp: Record<(typeof CDP_TIMES)[number], number>;
  /** zone states the cloud pushed to a control-room socket during the phase */
  zonePushes: number;
  published: number;
  load1: number[];
  /** after the phase, ms until the page showed every sampled zone's last count (null: idle, or not within a minute) */
  catchUpMs: number | null;
}

export async function benchPageFrames(opts: PageFramesOptions) {
  const { site, radars } = withZones(loadSiteFile(), opts.zones);
  const stack = await startStack({ site, logger: pino({ level: 'warn' }) });
  const base = stack.urls.page;
  const clients: MqttClient[] = [];
  const browser = await launchChromium();
  const room = io(base, { transports: ['websocket'], auth: { key: stack.adminKey } });
  try {
    let zonePushes = 0;
    room.on(LIVE_EVENTS.zones, (zones: ZoneLive[]) => (zonePushes += zones.length));
    const t0 = Date.now();
    // a few at a time: each login checks the device's password hash on the edge
    for (let i = 0; i < radars.length; i += 20) clients.push(...(await Promise.all(radars.slice(i, i + 20).map((r) => connectDevice(stack.urls.edgeMqtt, stack.secrets.device, r.deviceId)))));
    progress(`page frames: ${radars.length} radars connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const publisher = createPublisher(site.id, clients, radars.map((r) => r.zone.areaM2));
    await publisher.round('updating'); // every zone has a reading before the page opens

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, timezoneId: site.timezone });
    await signIn(context, base, 'admin', stack.adminPassword);
    await context.addInitScript({ content: PROBE });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(base);
    await waitForZones(page, radars.length);
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    progress(`page frames: control room open with ${radars.length} zones (${domNodes} elements); ${opts.rounds} round(s) of ${PHASES.join(', ')} for ${opts.phaseS} s each`);

    // How long after the last count the page shows, for a sample of zones, what their radars last said.
    const checked = radars.filter((_, i) => i % 25 === 0);
    const catchUp = async (): Promise<{ afterMs: number | null; showing: number }> => {
      const last = publisher.lastOccupancy();
      const from = performance.now();
      let showing = 0;
      while (performance.now() - from < 60_000) {
        const shown = await shownOccupancy(page);
        showing = checked.filter((r) => shown[r.zone.id] === last.get(r.deviceId)?.toLocaleString('en')).length;
        if (showing === checked.length) return { afterMs: Math.round(performance.now() - from), showing };
        await new Promise((r) => setTimeout(r, 100));
      }
      return { afterMs: null, showing };
    };
    // The next phase starts with nothing in flight: no zone pushed for a second, and the page drawn.
    const drained = async () => {
      for (let seen = -1, i = 0; seen !== zonePushes && i < 30; i++) {
        seen = zonePushes;
        await new Promise((r) => setTimeout(r, 1000));
      }
    };

    const samples: Record<Phase, Sample[]> = { idle: [], unchanged: [], updating: [] };
    let profile: ReturnType<typeof summarizeProfile> | undefined;
    let lastCatchUp: Awaited<ReturnType<typeof catchUp>> = { afterMs: null, showing: 0 };
    for (let round = 0; round < opts.rounds; round++) {
      for (const phase of PHASES) {
        await drained();
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const profiling = opts.profileDir !== undefined && phase === 'updating' && round === 0;
        if (profiling) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
        const before = await cdpTimes(cdp);
        const pushesBefore = zonePushes;
        const load1 = [loadavg()[0]!];
        await page.evaluate('window.__pageFrames.start()');
        const started = performance.now();
        const published = await publisher.run(phase, opts.phaseS);
        const { deltas, longTasks } = (await page.evaluate('window.__pageFrames.stop()')) as { deltas: number[]; longTasks: number[] };
        const seconds = (performance.now() - started) / 1000;
        const after = await cdpTimes(cdp);
        load1.push(loadavg()[0]!);
        if (profiling) {
          const { profile: p } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
          await cdp.send('Profiler.disable');
          mkdirSync(opts.profileDir!, { recursive: true });
          const file = join(opts.profileDir!, `page-frames-updating-${opts.zones}-zones.cpuprofile`);
          writeFileSync(file, JSON.stringify(p));
          profile = summarizeProfile(p, 12);
          progress(`page frames: CPU profile of the updating phase written to ${file}`);
        }
        const cdpDelta = Object.fromEntries(CDP_TIMES.map((k) => [k, after[k] - before[k]])) as Sample['cdp'];
        const pushed = zonePushes - pushesBefore;
        const caught = phase === 'idle' ? null : await catchUp();
        if (phase === 'updating' && caught) lastCatchUp = caught;
        samples[phase].push({ seconds, deltas, longTasks, cdp: cdpDelta, zonePushes: pushed, published, load1, catchUpMs: caught?.afterMs ?? null });
        progress(`page frames: round ${round + 1} ${phase}: ${deltas.length} frames, ${longTasks.length} long tasks, ${published} publishes, ${pushed} zone pushes, load ${load1.map((l) => l.toFixed(1)).join(' → ')}${caught ? `; last counts shown ${caught.afterMs ?? 'not within 60 000'} ms after` : ''}`);
      }
    }
    const alarms = (await (await fetch(new URL('/api/v1/alarms?status=raised,acknowledged', base), { headers: { authorization: `Bearer ${stack.adminKey}` } })).json()) as unknown[];
    await context.close();

    const phases = Object.fromEntries(PHASES.map((p) => [p, summarize(samples[p])])) as Record<Phase, ReturnType<typeof summarize>>;
    const ratio = (p: Phase, pick: (s: ReturnType<typeof summarize>) => number) => {
      const b = pick(phases.idle);
      return b > 0 ? round2(pick(phases[p]) / b) : null;
    };
    const ratios = (p: Phase) => ({
      frameP95: ratio(p, (s) => s.frames.p95Ms),
      frameP99: ratio(p, (s) => s.frames.p99Ms),
      framesOver50Ms: ratio(p, (s) => s.frames.over50Ms),
      longTaskMs: ratio(p, (s) => s.longTasks.totalMs),
      mainThreadBusy: ratio(p, (s) => s.mainThread.busyPercent),
      mainThreadCpu: ratio(p, (s) => s.mainThread.cpuMsPerS),
    });
    return {
      zones: radars.length,
      viewport: '1920x1080',
      domElements: domNodes,
      rounds: opts.rounds,
      phaseS: opts.phaseS,
      chromium: browser.version(),
      phases,
      ratioToIdle: { unchanged: ratios('unchanged'), updating: ratios('updating') },
      /** after the last updating phase: zones sampled, how many showed their last count, and how long that took (null: not within a minute) */
      pageCaughtUp: { checked: checked.length, showingLastCount: lastCatchUp.showing, afterMs: lastCatchUp.afterMs },
      /** alarms would add rows to the page: none should be raised by this run */
      openAlarmsAtEnd: alarms.length,
      ...(profile && { updatingProfileTopSelfMs: profile }),
    };
  } finally {
    room.close();
    for (const c of clients) c.end(true);
    await browser.close();
    await stack.stop();
  }
}

/** The publishing radars: one count per zone per second in `TICKS_PER_SECOND` slices, QoS 1 like the simulator. */
function createPublisher(siteId: string, clients: MqttClient[], areas: number[]) {
  const topics = clients.map((c) => deviceTopic(siteId, c.options.clientId!, 'count'));
  // density as a slow random walk between quiet and busy, under the crowding rule's 1.5 people/m²
  const density = areas.map((_, i) => 0.05 + ((i * 37) % 100) / 100);
  const occupancy = areas.map(() => -1);
  let seq = 0;
  let acked = 0;
  const send = (i: number, phase: Phase) => {
    if (phase === 'updating' || occupancy[i]! < 0) {
      density[i] = Math.min(1.2, Math.max(0.02, density[i]! + (Math.random() - 0.5) * 0.1));
      let next = Math.round(density[i]! * areas[i]!);
      if (next === occupancy[i]) next += next > 0 && Math.random() < 0.5 ? -1 : 1; // every zone's number moves
      occupancy[i] = next;
    }
    const body = JSON.stringify({ ts: Date.now(), seq: ++seq, periodS: 1, in: 0, out: 0, occupancy: occupancy[i] });
    clients[i]!.publish(topics[i]!, body, { qos: 1 }, (err) => {
      if (!err) acked++;
    });
  };
  return {
    /** every radar once, at once */
    async round(phase: Phase) {
      const target = acked + clients.length;
      for (let i = 0; i < clients.length; i++) send(i, phase);
      while (acked < target) await new Promise((r) => setTimeout(r, 20));
    },
    /** `seconds` of `phase`; how many counts the edge acknowledged */
    async run(phase: Phase, seconds: number): Promise<number> {
      const start = performance.now();
      const from = acked;
      const ticks = Math.round(seconds * TICKS_PER_SECOND);
      for (let tick = 0; tick < ticks; tick++) {
        if (phase !== 'idle') for (let i = tick % TICKS_PER_SECOND; i < clients.length; i += TICKS_PER_SECOND) send(i, phase);
        const wait = start + ((tick + 1) * 1000) / TICKS_PER_SECOND - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      return acked - from;
    },
    lastOccupancy: () => new Map(clients.map((c, i) => [c.options.clientId!, occupancy[i]!])),
  };
}

async function waitForZones(page: Page, zones: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const shown = await page.evaluate(() => Array.from(document.querySelectorAll('#table-host tbody td.occupancy')).filter((td) => /\d/.test(td.textContent ?? '')).length);
    if (shown >= zones) return;
    if (Date.now() > deadline) throw new Error(`the control room showed ${shown} of ${zones} zones' counts after 2 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** People shown per zone id in the zone table, as the page formats them. */
function shownOccupancy(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll<HTMLTableRowElement>('#table-host tbody tr')).map((tr) => [tr.dataset.zoneId ?? '', tr.querySelector('td.occupancy')?.textContent ?? ''])));
}

async function cdpTimes(cdp: CDPSession): Promise<Record<(typeof CDP_TIMES)[number], number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return Object.fromEntries(CDP_TIMES.map((k) => [k, value(k)])) as Record<(typeof CDP_TIMES)[number], number>;
}

function summarize(samples: Sample[]) {
  const seconds = samples.reduce((s, x) => s + x.seconds, 0);
  const deltas = samples.flatMap((s) => s.deltas).sort((a, b) => a - b);
  const longTasks = samples.flatMap((s) => s.longTasks);
  const sum = (k: (typeof CDP_TIMES)[number]) => samples.reduce((s, x) => s + x.cdp[k], 0);
  const msPerS = (s: number) => round1((s * 1000) / seconds);
  return {
    seconds: round1(seconds),
    frames: {
      count: deltas.length,
      perSecond: round1(deltas.length / seconds),
      p50Ms: round1(percentile(deltas, 50)),
      p95Ms: round1(percentile(deltas, 95)),
      p99Ms: round1(percentile(deltas, 99)),
      maxMs: round1(deltas.at(-1) ?? NaN),
      over50Ms: deltas.filter((d) => d > 50).length,
    },
    longTasks: { count: longTasks.length, totalMs: Math.round(longTasks.reduce((s, d) => s + d, 0)), maxMs: Math.round(Math.max(0, ...longTasks)), perSecond: round2(longTasks.length / seconds) },
    /** the renderer's main thread: share of the wall clock in tasks, CPU ms used per second, and script / style / layout ms (wall) per second */
    mainThread: {
      busyPercent: round1((sum('TaskDuration') / seconds) * 100),
      cpuMsPerS: msPerS(sum('ThreadTime')),
      scriptMsPerS: msPerS(sum('ScriptDuration')),
      styleMsPerS: msPerS(sum('RecalcStyleDuration')),
      layoutMsPerS: msPerS(sum('LayoutDuration')),
    },
    zonePushesPerSecond: round1(samples.reduce((s, x) => s + x.zonePushes, 0) / seconds),
    publishesPerSecond: round1(samples.reduce((s, x) => s + x.published, 0) / seconds),
    /** per round: how long after the phase's last count the page showed it */
    catchUpMs: samples.map((s) => s.catchUpMs),
    load1: samples.flatMap((s) => s.load1).map(round1),
  };
}

export function pageFramesRows(r: Awaited<ReturnType<typeof benchPageFrames>>): string[] {
  const row = (p: Phase, label: string) => {
    const s = r.phases[p];
    return `| control room, ${r.zones} zones at 1920×1080, ${label} (${s.zonePushesPerSecond} zone pushes/s): frame p50 / p95 / p99, frames over 50 ms, long tasks | ${s.frames.p50Ms} / ${s.frames.p95Ms} / ${s.frames.p99Ms} ms, ${s.frames.over50Ms} of ${s.frames.count} frames, ${s.longTasks.count} long tasks (${s.longTasks.totalMs} ms) in ${s.seconds} s; main thread ${s.mainThread.busyPercent}% busy, ${s.mainThread.cpuMsPerS} ms CPU/s; load ${Math.min(...s.load1)}–${Math.max(...s.load1)} |`;
  };
  const u = r.ratioToIdle.updating;
  return [
    row('idle', 'zones not updating (baseline)'),
    row('unchanged', 'every zone pushed each second, same values'),
    row('updating', 'every zone changing each second'),
    `| control room, every zone changing vs not updating | frame p95 ×${u.frameP95}, p99 ×${u.frameP99}, long-task time ×${u.longTaskMs}, main thread busy ×${u.mainThreadBusy}, CPU ×${u.mainThreadCpu}; ${r.pageCaughtUp.afterMs === null ? `the page had not caught up a minute after the last count (${r.pageCaughtUp.showingLastCount}/${r.pageCaughtUp.checked} zones checked)` : `the page showed the last counts ${r.pageCaughtUp.afterMs} ms after they were sent`} |`,
  ];
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
