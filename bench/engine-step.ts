import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSiteFile, type Effect, type EngineInput, type Observation, type SiteModel } from '@atrium/shared';
import { withDeviceCopies } from '../firmware-sim/src/mall/scale.ts';
import { openPglite } from '../cloud/src/db/pglite.ts';
import { applyAlarm } from '../cloud/src/dispatch/alarms.ts';
import { createEngine, snapshotEngine, step, tick, type EngineState } from '../cloud/src/dispatch/engine.ts';
import { engineWithBacklog } from './engine-backlog.ts';
import { createSqlOpsStore } from '../cloud/src/ops/sql-ops-store.ts';
import { parseRuleSet } from '../cloud/src/rules/load.ts';
import { siteFacts } from '../cloud/src/rules/subjects.ts';
import { percentile, progress } from './support.ts';

/**
 * Two things the engine's storage and rules promise, each next to its baseline in the same run:
 * - a step costs what it changes: stored as its journal entry and effects, against storing the
 *   whole state with every step (what the runtime did before), at 10, 1,000 and 10,000 open alarms;
 * - one fault is one alarm: a gateway going quiet for 20 minutes with 285 and 2,850 devices
 *   behind it, against the same outage with the gateway unheard (devices judged one by one).
 */
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 12, 0, 0, 0);
const RULES = readFileSync(fileURLToPath(new URL('../cloud/rules/default.json', import.meta.url)), 'utf8');

function engineFor(site: SiteModel): EngineState {
  const parsed = parseRuleSet(RULES, siteFacts(site));
  if (!parsed.ok) throw new Error('shipped rules do not parse');
  return createEngine({ site, ruleSet: parsed.ruleSet, now: T0 });
}

/** `open` raised alarms on made-up subjects (alarms the control room has not dealt with yet). */
function withOpenAlarms(state: EngineState, open: number): EngineState {
  let alarms = state.alarms;
  for (let i = 0; i < open; i++) {
    const r = applyAlarm(alarms, { kind: 'raise', siteId: state.rules.compiled.facts.siteId, zoneId: null, transition: { ruleId: 'bench', subject: { kind: 'device', id: `bench-${i}` }, change: 'raise', at: T0, alarm: { type: 'bench', severity: 'minor' }, reason: 'condition', value: null } }, T0);
    if (r.ok) alarms = r.state;
  }
  return { ...state, alarms };
}

export async function benchStepCost(opts: { steps: number; openAlarms: readonly number[] }) {
  const site = loadSiteFile();
  const db = await openPglite('memory://');
  const store = await createSqlOpsStore(db, { siteId: site.id });
  const runs = [];
  for (const open of opts.openAlarms) {
    let state = withOpenAlarms(engineFor(site), open);
    const timings = { journal: [] as number[], wholeState: [] as number[] };
    // The first few steps warm the database and the JIT; they are not counted.
    const warmup = 5;
    for (let i = 0; i < opts.steps + warmup; i++) {
      for (const mode of ['journal', 'wholeState'] as const) {
        const now = T0 + i * MIN;
        const input: EngineInput = { kind: 'observe_batch', observations: [{ kind: 'footfall', zoneId: 'g-restroom-w', minute: now - MIN, in: 1 } satisfies Observation] };
        const t0 = performance.now();
        const r = step(state, input, now);
        const effects: Effect[] = r.effects;
        if (mode === 'journal') await store.record({ effects, journal: [{ kind: 'step', now, input }], at: now });
        else await store.record({ effects, snapshot: snapshotEngine(r.state), at: now });
        if (i >= warmup) timings[mode].push(performance.now() - t0);
        state = r.state;
      }
    }
    const p50 = (xs: number[]) => Math.round(percentile([...xs].sort((a, b) => a - b), 50) * 100) / 100;
    const run = { openAlarms: open, journalMsPerStep: p50(timings.journal), wholeStateMsPerStep: p50(timings.wholeState) };
    progress(`step cost: ${JSON.stringify(run)}`);
    runs.push({ ...run, ratio: Math.round((run.wholeStateMsPerStep / run.journalMsPerStep) * 10) / 10 });
  }
  await store.close();
  await db.close();
  return { steps: opts.steps, runs };
}

/** 10 minutes of normal delivery, 20 minutes of a dead uplink, 10 minutes back, one tick a simulated second every 10. */
function gatewayOutage(site: SiteModel, gatewayHeard: boolean) {
  let s = engineFor(site);
  const effects: Effect[] = [];
  const t0 = performance.now();
  for (let m = 0; m < 40; m++) {
    const down = m >= 10 && m < 30;
    if (!down) {
      const obs: Observation[] = gatewayHeard ? [{ kind: 'gateway_seen', gatewayId: 'gw-1', at: T0 + m * MIN }] : [];
      for (const d of site.devices) obs.push({ kind: 'seen', deviceId: d.id, at: T0 + m * MIN, ...(gatewayHeard ? { gatewayId: 'gw-1' } : {}) });
      const r = step(s, { kind: 'observe_batch', observations: obs }, T0 + m * MIN);
      s = r.state;
      effects.push(...r.effects);
    }
    for (let k = 1; k <= 6; k++) {
      const r = tick(s, T0 + m * MIN + k * 10_000);
      s = r.state;
      effects.push(...r.effects);
    }
  }
  const ms = Math.round(performance.now() - t0);
  const alarms = effects.filter((e) => e.kind === 'alarm' && e.change === 'raised').length;
  const orders = effects.filter((e) => e.kind === 'work_order' && e.change === 'created').length;
  return { alarms, orders, engineMs: ms };
}

export function benchGatewayStorm(opts: { copies: readonly number[] }) {
  const base = loadSiteFile();
  return opts.copies.map((copies) => {
    const site = withDeviceCopies(base, copies);
    const row = { devices: site.devices.length, atrium: gatewayOutage(site, true), deviceByDevice: gatewayOutage(site, false) };
    progress(`gateway storm: ${JSON.stringify(row)}`);
    return row;
  });
}

/**
 * What one step costs the engine itself (no store): with `open` alarms each behind a work
 * order nobody has taken yet (a backlog), a footfall minute that changes nothing, a forced
 * door that raises one alarm and gives one order to a guard, the guard accepting, and a tick
 * with nothing due. Baseline in the same run: the same steps with 10 open alarms; a step
 * that costs what it changes costs the same at 10,000.
 */
export function benchEngineCompute(opts: { steps: number; openAlarms: readonly number[] }) {
  const runs = [];
  for (const open of opts.openAlarms) {
    let { state, gates, now } = engineWithBacklog(open);
    const t = { observe: [] as number[], raise: [] as number[], accept: [] as number[], tick: [] as number[] };
    const warmup = 5;
    for (let i = 0; i < opts.steps + warmup; i++) {
      now += 1000;
      const time = <T>(into: number[], f: () => T): T => {
        const t0 = performance.now();
        const r = f();
        if (i >= warmup) into.push(performance.now() - t0);
        return r;
      };
      const obs = time(t.observe, () => step(state, { kind: 'observe_batch', observations: [{ kind: 'footfall', zoneId: 'g-atrium', minute: now - MIN, in: 3 }] }, now));
      state = obs.state;
      const raised = time(t.raise, () => step(state, { kind: 'observe', observation: { kind: 'event', deviceId: gates[i % gates.length]!, type: 'forced_open', at: now } }, now));
      state = raised.state;
      const assigned = raised.effects.find((e) => e.kind === 'work_order' && e.change === 'assign');
      if (!assigned || assigned.kind !== 'work_order' || !assigned.order.assignee) throw new Error('bench: the forced door was not assigned');
      const accepted = time(t.accept, () => step(state, { kind: 'order', orderId: assigned.order.id, action: { kind: 'accept', by: assigned.order.assignee! } }, now));
      if (!accepted.ok) throw new Error(`bench: ${accepted.error.message}`);
      state = accepted.state;
      state = time(t.tick, () => tick(state, now)).state;
    }
    const p50 = (xs: number[]) => Math.round(percentile([...xs].sort((a, b) => a - b), 50) * 1000) / 1000;
    const run = { openAlarms: open, observeMs: p50(t.observe), raiseMs: p50(t.raise), acceptMs: p50(t.accept), tickMs: p50(t.tick) };
    progress(`engine compute: ${JSON.stringify(run)}`);
    runs.push(run);
  }
  const base = runs[0]!;
  const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 0.001)) * 10) / 10;
  return { steps: opts.steps, runs: runs.map((r) => ({ ...r, ratioToSmallest: { observe: ratio(r.observeMs, base.observeMs), raise: ratio(r.raiseMs, base.raiseMs), accept: ratio(r.acceptMs, base.acceptMs), tick: ratio(r.tickMs, base.tickMs) } })) };
}

export const computeRows = (r: ReturnType<typeof benchEngineCompute>) =>
  r.runs.map(
    (x) =>
      `| engine step computed, ${x.openAlarms} open alarms with queued orders, p50: footfall / forced door raised+assigned / accept / tick | ${x.observeMs} / ${x.raiseMs} / ${x.acceptMs} / ${x.tickMs} ms (×${x.ratioToSmallest.observe} / ×${x.ratioToSmallest.raise} / ×${x.ratioToSmallest.accept} / ×${x.ratioToSmallest.tick} of ${r.runs[0]!.openAlarms} open) |`,
  );

export const stepRows = (r: Awaited<ReturnType<typeof benchStepCost>>) =>
  r.runs.map((x) => `| engine step stored (journal + effects), ${x.openAlarms} open alarms, p50 | ${x.journalMsPerStep} ms (whole state each step: ${x.wholeStateMsPerStep} ms, ×${x.ratio}) |`);
export const stormRows = (r: ReturnType<typeof benchGatewayStorm>) =>
  r.map((x) => `| gateway quiet 20 min, ${x.devices} devices behind it: alarms / orders raised | ${x.atrium.alarms} / ${x.atrium.orders} (judged device by device: ${x.deviceByDevice.alarms} / ${x.deviceByDevice.orders}) |`);
