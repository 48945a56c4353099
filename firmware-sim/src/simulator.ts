import { derivePassword, deviceTopic, type SiteModel } from '@atrium/shared';
import type { Logger } from 'pino';
import { createFleet, type FleetDevice } from './devices/fleet.ts';
import { statusBody } from './devices/status.ts';
import { createFootfallModel, type FootfallOptions } from './profile/expected-rate.ts';
import { rngFor, uniform } from './random.ts';
import { planOutages, type Outage } from './runtime/dropouts.ts';
import { createFaultShaper, FaultRates, type FaultRatesInput, type FaultShaper } from './runtime/faults.ts';
import { createLedger, type LedgerSnapshot } from './runtime/ledger.ts';
import { createLimiter, mapLimit } from './runtime/limiter.ts';
import { createLink, type DeviceLink } from './runtime/link.ts';
import { createPace, type Pace } from './runtime/pace.ts';
import { createStamper, type Stamper, type WireMessage } from './runtime/wire.ts';

export interface SimulatorOptions {
  site: SiteModel;
  brokerUrl: string;
  /** device passwords are derivePassword(secret, deviceId) */
  secret: string;
  /** sim seconds per real second, or 'max': as fast as the broker acknowledges */
  speed: number | 'max';
  /** sim seconds per real second while the mall is closed (a demo gets the night over quickly); default `speed` */
  closedSpeed?: number;
  /**
   * How far (sim ms) the clock may run ahead of what the fleet has produced: a simulator that
   * cannot keep up then runs slower instead of catching up later. Default: no bound.
   */
  maxLeadMs?: number;
  /**
   * Called before any device produces a reading stamped up to `untilMs`, so a caller can keep a
   * high-water mark on disk that a restarted run starts after (see scripts/demo-clock.ts).
   */
  reserve?: (untilMs: number) => void;
  seed: number;
  /** sim clock start, epoch ms */
  start: number;
  /** stop producing after this much sim time; `done` resolves once all of it is acknowledged */
  durationMs?: number;
  /** simulate only these devices */
  deviceIds?: readonly string[];
  faults?: FaultRatesInput;
  logger?: Logger;
  /** events, extra holidays, visitor volume */
  footfall?: FootfallOptions;
  /** routine restroom cleaning interval in sim hours (default 3) */
  cleaningIntervalH?: number;
  /** simultaneous connection attempts while the fleet comes online (default 50) */
  connectConcurrency?: number;
  /** publishes awaiting PUBACK across the fleet (default 1000) */
  maxInFlight?: number;
  /** largest slice of sim time produced in one step (default 60 s) */
  maxStepMs?: number;
  /** progress log interval in real ms (default 5000, 0 = off) */
  progressIntervalMs?: number;
  /**
   * On stop, how long (real ms) messages may take to be acknowledged before what is left is
   * dropped and logged (default 5000): a device whose credentials were rotated, or one offline,
   * can never deliver what it holds, and Ctrl-C must not wait for it.
   */
  stopDrainMs?: number;
}

export interface SimStats extends LedgerSnapshot {
  siteId: string;
  seed: number;
  speed: number | 'max';
  startMs: number;
  /** sim time produced so far */
  simTimeMs: number;
  simTime: string;
  endMs: number | null;
  realElapsedMs: number;
  /** durationMs reached and every message settled */
  finished: boolean;
  outagesActive: number;
}

export interface Simulator {
  /** connects the fleet (in bursts) and starts the clock; rejects if the broker refuses a device */
  start(): Promise<void>;
  /** stops the clock, lets in-flight messages be acknowledged (up to stopDrainMs, then drops and logs the rest), says `offline`, disconnects */
  stop(): Promise<void>;
  /** resolves when durationMs is reached and everything sent is settled (or after stop()) */
  readonly done: Promise<void>;
  /** a cleaner finished in this zone: restroom odour there resets. Returns sensors reset. */
  clean(zoneId: string): number;
  stats(): SimStats;
  /** current sim time */
  now(): number;
  /** sim ms per real ms at the current sim time (the speed, or the closed-hours speed); 0 in 'max' mode */
  rate(): number;
}

interface Unit {
  fd: FleetDevice;
  stamper: Stamper;
  shaper: FaultShaper;
  link: DeviceLink;
}

const REALTIME_TICK_MS = 200;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

export function createSimulator(opts: SimulatorOptions): Simulator {
  const { site, seed } = opts;
  if (opts.speed !== 'max' && !(opts.speed > 0)) throw new RangeError(`speed must be a positive number or 'max', got ${opts.speed}`);
  if (opts.closedSpeed !== undefined && !(opts.closedSpeed > 0)) throw new RangeError(`closedSpeed must be a positive number, got ${opts.closedSpeed}`);
  if (opts.durationMs !== undefined && !(opts.durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${opts.durationMs}`);
  const faults = FaultRates.parse(opts.faults ?? {});
  const log = opts.logger;
  const model = createFootfallModel(site, opts.footfall);
  const fleet = createFleet(site, { model, seed, startMs: opts.start, deviceIds: opts.deviceIds, cleaningIntervalH: opts.cleaningIntervalH });
  const ledger = createLedger(fleet.devices.map((d) => d.device));
  const limiter = createLimiter(opts.maxInFlight ?? 1000);
  const maxStepMs = opts.maxStepMs ?? 60_000;
  const endMs = opts.durationMs !== undefined ? opts.start + opts.durationMs : Number.POSITIVE_INFINITY;
  const outageRng = rngFor(seed, 'outages');

  let simNow = opts.start;
  let realStart = 0;
  let pace: Pace | undefined;
  let running = false;
  let stopping = false;
  let finished = false;
  let loop: Promise<void> | undefined;
  let starting: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;
  const drainMs = opts.stopDrainMs ?? 5000;
  let stopDeadline = Number.POSITIVE_INFINITY;
  let realEnd: number | undefined;
  let progress: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();
  let outages: (Outage & { units: Unit[] })[] = [];
  let resolveDone!: () => void;
  let rejectDone!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  // `done` is also awaited by callers that never started; keep an unobserved rejection quiet.
  done.catch(() => undefined);

  const units: Unit[] = fleet.devices.map((fd) => {
    const id = fd.device.id;
    const faultRng = rngFor(seed, id, 'faults');
    const stamper = createStamper(site.id, id, Math.round(uniform(faultRng, -faults.clockDriftMs, faults.clockDriftMs)));
    const statusTopic = deviceTopic(site.id, id, 'status');
    const unit: Unit = {
      fd,
      stamper,
      shaper: createFaultShaper(faults, stamper, faultRng),
      link: createLink({
        url: opts.brokerUrl,
        deviceId: id,
        password: derivePassword(opts.secret, id),
        statusTopic,
        logger: log,
        will: () => JSON.stringify({ ts: stamper.clock(simNow), state: 'offline' }),
        onUp: () => {
          ledger.connected(id);
          // Straight onto the wire, ahead of anything buffered while offline.
          send(unit, stamper.stamp({ channel: 'status', atMs: simNow, body: statusBody(fd.health, simNow) }), false);
        },
        onDown: (deliberate) => ledger.disconnected(id, deliberate),
      }),
    };
    return unit;
  });
  const unitsByZone = new Map<string, Unit[]>();
  for (const u of units) unitsByZone.set(u.fd.device.zoneId, [...(unitsByZone.get(u.fd.device.zoneId) ?? []), u]);

  /** Publishes one message; the ledger hears of it when sent and when acknowledged or failed. */
  function send(u: Unit, m: WireMessage, limited: boolean): Promise<void> {
    ledger.sent(m);
    const p = u.link.publish(m.topic, m.body, m.retain).then(
      () => ledger.acked(m),
      (err: Error) => {
        ledger.failed(m);
        log?.debug({ deviceId: u.fd.device.id, err: err.message }, 'publish failed');
      },
    );
    const tracked = p.finally(() => {
      if (limited) limiter.release();
      pending.delete(tracked);
    });
    pending.add(tracked);
    return tracked;
  }

  async function settleAll(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  /** Waits for `work` until the stop deadline; true if it finished. */
  async function beforeDeadline(work: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const left = Math.max(0, stopDeadline - performance.now());
    const inTime = await Promise.race([work.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), left)))]);
    clearTimeout(timer);
    return inTime;
  }

  /** What cannot be delivered in time, per device and why, in one log line; then the links fail it. */
  async function dropUndelivered(): Promise<void> {
    const held = units.filter((u) => u.link.unsettled > 0);
    const why = (u: Unit) => u.link.refused ?? (u.link.up ? 'not acknowledged by the broker' : 'offline');
    const byReason: Record<string, number> = {};
    for (const u of held) byReason[why(u)] = (byReason[why(u)] ?? 0) + u.link.unsettled;
    const unsent = held.reduce((n, u) => n + u.link.unsettled, 0);
    if (unsent > 0) {
      log?.warn(
        { unsent, devices: held.length, byReason, examples: held.slice(0, 10).map((u) => ({ deviceId: u.fd.device.id, messages: u.link.unsettled, why: why(u) })), drainMs },
        `stopping: ${unsent} messages from ${held.length} devices were not acknowledged within ${drainMs} ms and are dropped`,
      );
    }
    await mapLimit(units, 100, (u) => u.link.close(0));
  }

  async function endOutages(until: number): Promise<void> {
    const ending = outages.filter((o) => o.untilMs <= until);
    if (ending.length === 0) return;
    outages = outages.filter((o) => o.untilMs > until);
    const back = ending.flatMap((o) => o.units);
    log?.info({ zones: ending.map((o) => o.zoneId), devices: back.length }, 'network back: devices reconnecting');
    await Promise.all(back.map((u) => u.link.reopen()));
  }

  async function startOutages(from: number, to: number): Promise<void> {
    if (faults.dropoutRate <= 0) return;
    const down = new Set(outages.map((o) => o.zoneId));
    const zones = [...unitsByZone.keys()].filter((z) => !down.has(z));
    for (const o of planOutages(zones, faults.dropoutRate, from, to, outageRng)) {
      const zoneUnits = unitsByZone.get(o.zoneId) ?? [];
      outages.push({ ...o, units: zoneUnits });
      log?.info({ zone: o.zoneId, devices: zoneUnits.length, forS: (o.untilMs - o.fromMs) / 1000 }, 'network outage: devices dropping');
      await Promise.all(zoneUnits.map((u) => u.link.drop()));
    }
  }

  /** Produces everything up to `target` and sends it in device-time order. */
  async function step(target: number, awaitAcks: boolean): Promise<void> {
    opts.reserve?.(target + faults.clockDriftMs);
    await endOutages(target);
    await startOutages(simNow, target);
    const batch: { u: Unit; m: WireMessage; key: number }[] = [];
    for (const u of units) {
      const shaped = u.shaper.shape(u.fd.behaviour.advance(target).map((e) => u.stamper.stamp(e)));
      // Sort key never decreases within a device, so the stable sort keeps each device's own
      // order (including deliberate reordering) while interleaving devices by time.
      let key = simNow;
      for (const m of shaped) {
        if (m.kind !== 'malformed') key = Math.max(key, m.reading.emission.atMs);
        batch.push({ u, m, key });
      }
    }
    batch.sort((a, b) => a.key - b.key);
    simNow = target;
    const acks: Promise<void>[] = [];
    for (const { u, m } of batch) {
      const limited = u.link.up;
      if (limited) await limiter.acquire();
      const p = send(u, m, limited);
      if (limited) acks.push(p);
    }
    if (awaitAcks) await Promise.all(acks);
  }

  async function run(): Promise<void> {
    while (!stopping && simNow < endMs) {
      if (opts.speed === 'max') {
        await step(Math.min(simNow + maxStepMs, endMs), true);
      } else {
        const clock = Math.min(pace!.target(performance.now(), simNow), endMs);
        if (clock > simNow) await step(Math.floor(Math.min(clock, simNow + maxStepMs)), false);
        // Behind by more than a step (high speed or a slow broker): catch up, yielding to I/O only.
        if (clock - simNow > maxStepMs) await yieldToIo();
        else await sleep(REALTIME_TICK_MS);
      }
    }
    // Nothing is left behind: held-back readings go out, and dropped devices reconnect to flush
    // (not when stopping: a device out of reach keeps what it holds, and the drain says so).
    for (const u of units) for (const m of u.shaper.flush()) send(u, m, false);
    if (!stopping) await endOutages(Number.POSITIVE_INFINITY);
    await settleAll();
    if (simNow >= endMs) {
      finished = true;
      log?.info(summary(), 'simulation finished');
    }
  }

  function paceOptions(speed: number) {
    return { speed, closedSpeed: opts.closedSpeed, maxLeadMs: opts.maxLeadMs, trading: (t: number) => model.calendar.at(t).trading };
  }

  function summary() {
    const s = stats();
    const realS = s.realElapsedMs / 1000;
    return { simTime: s.simTime, acked: s.messages.acked, msgsPerSec: Math.round(s.messages.acked / Math.max(0.001, realS)), realS: Math.round(realS * 10) / 10 };
  }

  function startProgress() {
    const every = opts.progressIntervalMs ?? 5000;
    if (!log || every <= 0) return;
    let lastAcked = 0;
    let lastAt = performance.now();
    progress = setInterval(() => {
      const s = stats();
      const now = performance.now();
      const rate = ((s.messages.acked - lastAcked) * 1000) / (now - lastAt);
      lastAcked = s.messages.acked;
      lastAt = now;
      log.info({ simTime: s.simTime, msgsPerSec: Math.round(rate), acked: s.messages.acked, inFlight: s.messages.inFlight, connected: s.connections.connected }, 'progress');
    }, every);
    progress.unref();
  }

  function stats(): SimStats {
    return {
      siteId: site.id,
      seed,
      speed: opts.speed,
      startMs: opts.start,
      simTimeMs: simNow,
      simTime: new Date(simNow).toISOString(),
      endMs: Number.isFinite(endMs) ? endMs : null,
      realElapsedMs: realStart > 0 ? (realEnd ?? performance.now()) - realStart : 0,
      finished,
      outagesActive: outages.length,
      ...ledger.snapshot(),
    };
  }

  return {
    done,
    stats,
    now: () => simNow,
    rate: () => (opts.speed === 'max' ? 0 : (pace ?? createPace(simNow, 0, paceOptions(opts.speed))).rate(simNow)),
    clean(zoneId) {
      if (!site.zones.some((z) => z.id === zoneId)) throw new RangeError(`unknown zone "${zoneId}"`);
      return fleet.clean(zoneId, simNow);
    },
    start() {
      if (starting) return Promise.reject(new Error('simulator already started'));
      starting = (async () => {
        running = true;
        const t0 = performance.now();
        // mqtt.js retries an unreachable broker forever; say so instead of hanging silently.
        const waiting = setInterval(() => {
          const { connected, devices } = ledger.snapshot().connections;
          log?.warn({ connected, devices, broker: opts.brokerUrl }, 'still connecting the fleet (is the broker up?)');
        }, 5000);
        try {
          await mapLimit(units, opts.connectConcurrency ?? 50, (u) => u.link.open());
        } catch (err) {
          await Promise.all(units.map((u) => u.link.close(1000)));
          running = false;
          throw err;
        } finally {
          clearInterval(waiting);
        }
        log?.info({ devices: units.length, ms: Math.round(performance.now() - t0), broker: opts.brokerUrl }, 'fleet connected');
        if (stopping) return; // stop() arrived while connecting; it takes it from here
        realStart = performance.now();
        if (opts.speed !== 'max') pace = createPace(opts.start, realStart, paceOptions(opts.speed));
        startProgress();
        loop = run().then(
          () => {
            realEnd = performance.now();
            if (finished) resolveDone();
          },
          (err: Error) => {
            realEnd = performance.now();
            log?.error({ err }, 'simulation failed');
            rejectDone(err);
          },
        );
      })();
      return starting;
    },
    stop() {
      stopPromise ??= (async () => {
        stopping = true;
        if (!loop) {
          // Still connecting (or never started): give up the connections rather than wait for them.
          await Promise.all(units.map((u) => u.link.close(1000)));
          await starting?.catch(() => undefined);
          running = false;
          resolveDone();
          return;
        }
        stopDeadline = performance.now() + drainMs;
        // The loop ends once what was sent is acknowledged; a device that cannot deliver holds it up
        // until the deadline, when what is left is dropped (and logged) so the loop can end.
        if (!(await beforeDeadline(loop))) {
          await dropUndelivered();
          await loop;
        }
        if (progress) clearInterval(progress);
        if (running) {
          // A clean power-down: the retained status says offline (the will only fires on a crash).
          for (const u of units) {
            if (u.link.up) send(u, u.stamper.stamp({ channel: 'status', atMs: simNow, body: { state: 'offline' } }), false);
          }
          if (!(await beforeDeadline(settleAll()))) await dropUndelivered();
          await settleAll();
          await mapLimit(units, 100, async (u) => {
            await u.link.close(Math.max(0, stopDeadline - performance.now()));
            ledger.disconnected(u.fd.device.id, false);
          });
          running = false;
        }
        resolveDone();
      })();
      return stopPromise;
    },
  };
}
