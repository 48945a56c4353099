import type { Logger } from 'pino';
import type { Effect, EngineInput, EngineSnapshot, JournalEntry, LiveUplink, Observation, RuleFileIssue, RulesVersion, SiteModel, StaffMember, Uplink } from '@atrium/shared';
import { createEngine, reload, replayJournal, restoreEngine, sameState, snapshotEngine, step, tick, type EngineState } from '../dispatch/engine.ts';
import { dispatchError, type DispatchError } from '../dispatch/errors.ts';
import { parseRuleSet, formatIssues } from '../rules/load.ts';
import { observationsFromLive, observationsFromUplink } from '../rules/observations.ts';
import { siteFacts } from '../rules/subjects.ts';
import { Errors } from '../errors.ts';
import type { OpsStore } from './ops-store.ts';

/** Who saved a rules version adopted from the rules file (API edits carry the user's id). */
export const RULES_FILE_ACTOR = 'rules-file';

export interface DispatchServiceDeps {
  site: SiteModel;
  store: OpsStore;
  logger: Logger;
  /** the site's clock: Date.now in production, the simulator's clock in an accelerated demo */
  clock: () => number;
  /** the rules file's text, used when the store has no rules yet or the file changed */
  rulesText: string;
  tickEveryMs: number;
  /** how often rule state (counters, clocks) is saved when nothing else was */
  snapshotEveryMs: number;
  /**
   * Observations kept while the store refuses writes (default 100 000): beyond it the oldest
   * are dropped and counted, so an outage of the store cannot exhaust memory.
   */
  maxQueuedObservations?: number;
  observer?: DispatchObserver;
}

const DEFAULT_MAX_QUEUED_OBSERVATIONS = 100_000;
/** A snapshot at least every this many journaled steps, so a restart replays a bounded journal. */
const SNAPSHOT_EVERY_STEPS = 1000;

/** Measurements the wiring turns into Prometheus metrics. */
export interface DispatchObserver {
  evaluated(observations: number, seconds: number): void;
  recordFailed(): void;
  effects(effects: readonly Effect[]): void;
  /** observations dropped because the queue was full while the store refused writes */
  observationsDropped?(n: number): void;
}

export type CommandResult = { ok: true; effects: Effect[] } | { ok: false; error: DispatchError };
export type ReloadResult = { ok: true; version: RulesVersion } | { ok: false; error: DispatchError; issues: RuleFileIssue[] };

/**
 * The engine's runtime: one serial queue in front of the pure engine, so every step sees the
 * state the previous one left, and a step's effects and the engine snapshot are stored in
 * one transaction before anyone is told. A step whose store write fails leaves the state as
 * it was. Observations are batched: every uplink stored while a step runs joins the next; a
 * batch the store refused stays queued, ahead of newer ones, and is evaluated again at the
 * next drain or tick (bounded by `maxQueuedObservations`).
 */
export interface DispatchService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** an uplink ingest stored (never a duplicate: footfall is additive) */
  observeUplink(uplink: Uplink): void;
  observeLive(live: LiveUplink): void;
  command(input: EngineInput): Promise<CommandResult>;
  reloadRules(text: string, by: string): Promise<ReloadResult>;
  onEffects(listener: (effects: readonly Effect[]) => void): void;
  /** the roster as the engine has it now (for the staffing plan) */
  roster(): StaffMember[];
  /** the engine's whole state as it would be stored (diagnostics, and the restart tests' yardstick) */
  snapshot(): EngineSnapshot;
  status(): {
    openAlarms: number;
    activeOrders: number;
    queuedObservations: number;
    /** since start, dropped (oldest first) because the queue was full while the store was refusing writes */
    droppedObservations: number;
    /** site-clock time of the first refused write of the current store outage; null while writes succeed */
    storeFailingSince: number | null;
    lastStepAt: number | null;
  };
}

export function createDispatchService(deps: DispatchServiceDeps): DispatchService {
  const { store, logger, clock } = deps;
  const facts = siteFacts(deps.site);
  let state: EngineState | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let pending: Observation[] = [];
  let drainQueued = false;
  /** steps stored as journal entries since the last snapshot */
  let journalSinceSnapshot = 0;
  let lastSnapshotAt = 0;
  let lastStepAt: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const maxQueued = deps.maxQueuedObservations ?? DEFAULT_MAX_QUEUED_OBSERVATIONS;
  let dropped = 0;
  let storeFailingSince: number | null = null;
  const listeners: Array<(effects: readonly Effect[]) => void> = [];

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const current = (): EngineState => {
    if (!state) throw new Error('dispatch service used before start()');
    return state;
  };

  /**
   * Stores, then adopts the new state, then tells listeners; a failed store write changes
   * nothing. A step is stored as what it changed: its effects and its journal entry (input
   * and `now`); the whole state only as a snapshot now and then (every snapshotEveryMs or
   * SNAPSHOT_EVERY_STEPS steps), so a step with 10,000 open alarms costs what one with 10 does.
   */
  async function commit(next: EngineState, effects: Effect[], entry: JournalEntry | null, forceSnapshot = false): Promise<boolean> {
    const now = clock();
    const changed = entry !== null && (effects.length > 0 || state === null || !sameState(next, state));
    const journaled = journalSinceSnapshot + (changed ? 1 : 0);
    const snapshotDue = forceSnapshot || (journaled > 0 && (now - lastSnapshotAt >= deps.snapshotEveryMs || journaled >= SNAPSHOT_EVERY_STEPS));
    if (!changed && !snapshotDue) {
      state = next;
      return true;
    }
    try {
      await store.record({ effects, journal: changed ? [entry] : [], snapshot: snapshotDue ? snapshotEngine(next) : undefined, at: now });
    } catch (err) {
      deps.observer?.recordFailed();
      // One error per outage; the retries at every drain and tick would repeat it many times a second.
      if (storeFailingSince === null) logger.error({ err, effects: effects.length }, 'storing a dispatch step failed; the state stays as before it, waiting observations are kept and retried');
      else logger.debug({ err: (err as Error).message }, 'storing a dispatch step failed again');
      storeFailingSince ??= now;
      return false;
    }
    if (storeFailingSince !== null) {
      logger.info({ failingForMs: now - storeFailingSince, queued: pending.length, dropped }, 'the operational store takes dispatch steps again');
      storeFailingSince = null;
    }
    state = next;
    lastStepAt = now;
    if (snapshotDue) {
      lastSnapshotAt = now;
      journalSinceSnapshot = 0;
    } else journalSinceSnapshot = journaled;
    if (effects.length > 0) {
      deps.observer?.effects(effects);
      for (const l of listeners) {
        try {
          l(effects);
        } catch (err) {
          logger.error({ err }, 'a dispatch listener failed');
        }
      }
    }
    return true;
  }

  /** Keeps the newest `maxQueued` observations: under a long store outage the oldest matter least to live rules. */
  function bound(): void {
    const over = pending.length - maxQueued;
    if (over <= 0) return;
    pending.splice(0, over);
    dropped += over;
    deps.observer?.observationsDropped?.(over);
    logger.warn({ dropped: over, droppedTotal: dropped, kept: pending.length }, 'the dispatch queue is full while the operational store refuses writes: the oldest observations are dropped');
  }

  /**
   * Evaluates every observation waiting, as one batch; runs inside the serial queue. False
   * when the store refused the step: the batch is back at the head of the queue (the state
   * is still the one it was evaluated against) for the next drain or tick.
   */
  async function evaluatePending(): Promise<boolean> {
    if (pending.length === 0 || !state) return true;
    const batch = pending;
    pending = [];
    const t0 = performance.now();
    const now = clock();
    const input: EngineInput = { kind: 'observe_batch', observations: batch };
    const r = step(current(), input, now);
    const seconds = (performance.now() - t0) / 1000;
    if (!r.ok) {
      logger.warn({ code: r.error.code, observations: batch.length }, `the engine refused a batch of observations: ${r.error.message}`);
      return true;
    }
    if (!(await commit(r.state, r.effects, { kind: 'step', now, input }))) {
      pending = batch.concat(pending);
      bound();
      return false;
    }
    deps.observer?.evaluated(batch.length, seconds);
    return true;
  }
  function drain(): Promise<void> {
    return serial(async () => {
      drainQueued = false;
      await evaluatePending();
    });
  }
  const enqueue = (obs: Observation[]) => {
    if (obs.length === 0 || stopped) return;
    // Proof of life can only be claimed up to now: a device clock running ahead must not
    // keep its silence alarm away.
    const now = clock();
    for (const o of obs) pending.push(o.kind === 'seen' && o.at > now ? { ...o, at: now } : o);
    bound();
    if (!drainQueued) {
      drainQueued = true;
      void drain();
    }
  };

  /**
   * The engine retires closed orders and cleared alarms from its working state (engine.ts
   * RETENTION_MS); the store keeps them. Acting on one is refused as what it is, a record in
   * no state for that (409), not as an unknown id (404).
   */
  async function retiredRefusal(input: EngineInput, error: DispatchError): Promise<DispatchError> {
    if (error.code === 'ATRIUM_WORK_ORDER_NOT_FOUND' && input.kind === 'order') {
      const o = await store.getOrder(input.orderId);
      if (o) return dispatchError('WORK_ORDER_INVALID_TRANSITION', o.id, o.status, input.action.kind);
    }
    if (error.code === 'ATRIUM_ALARM_NOT_FOUND' && (input.kind === 'acknowledge_alarm' || input.kind === 'clear_alarm')) {
      const a = await store.getAlarm(input.alarmId);
      if (a) return dispatchError('ALARM_INVALID_TRANSITION', a.id, a.status, input.kind === 'clear_alarm' ? 'clear' : 'acknowledge');
    }
    return error;
  }

  /**
   * Which rules run after a restart: the newest edit, whichever way it came. Every version is
   * kept with who saved it; the file is adopted only when its text differs from the last
   * version that came from the file, i.e. someone edited the file since. So rules changed
   * through PUT /api/v1/rules survive a restart with the file untouched, and an edit to the
   * file (while running: hot reload; while stopped: here) replaces them. null: adopt the file.
   */
  async function rulesAtStart(): Promise<RulesVersion | null> {
    const stored = await store.currentRules();
    if (stored?.text === deps.rulesText) return stored;
    const fromFile = await store.currentRules({ savedBy: RULES_FILE_ACTOR });
    if (stored && fromFile?.text === deps.rulesText) {
      logger.info({ version: stored.version, savedBy: stored.savedBy }, 'the rules file is unchanged since it was last adopted; running the newer rules saved through the API');
      return stored;
    }
    const parsed = parseRuleSet(deps.rulesText, facts);
    if (!parsed.ok) {
      if (stored) {
        logger.error({ issues: parsed.issues }, `${formatIssues(parsed.issues)}\nthe rules file is refused; running the last good rules (version ${stored.version})`);
        return stored;
      }
      throw new Error(`${formatIssues(parsed.issues)}\nfix the rules file (ATRIUM_RULES_FILE) and start again`);
    }
    return null;
  }

  return {
    async start() {
      const now = clock();
      const stored = await rulesAtStart();
      const snap = await store.loadSnapshot();
      if (snap) {
        state = replayJournal(restoreEngine(snap.snapshot, deps.site), snap.journal);
        lastSnapshotAt = now;
        logger.info({ savedAt: snap.savedAt, replayed: snap.journal.length, openAlarms: state.alarms.open.size }, 'dispatch state restored; SLA clocks continue from the stored deadlines');
      }
      if (!stored) {
        // The file is new or changed: it becomes the running rules (a reload keeps unchanged rules' state).
        const text = deps.rulesText;
        if (state) {
          const r = reload(state, text, now);
          if (!r.ok) throw new Error(r.error.message);
          state = r.state;
        } else {
          const parsed = parseRuleSet(text, facts);
          if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
          state = createEngine({ site: deps.site, ruleSet: parsed.ruleSet, now });
        }
        const version = await store.saveRules({ text, savedAt: now, savedBy: RULES_FILE_ACTOR });
        logger.info({ version: version.version }, 'rules file loaded');
      } else if (!state) {
        const parsed = parseRuleSet(stored.text, facts);
        if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
        state = createEngine({ site: deps.site, ruleSet: parsed.ruleSet, now });
      }
      // Whatever start-up did (restore, replay, a new rules file) becomes the one snapshot to start from.
      await commit(current(), [], null, true);
      timer = setInterval(() => {
        void serial(async () => {
          if (!state || stopped) return;
          // Observations a refused write kept come first; with the store still down, time waits too.
          if (!(await evaluatePending())) return;
          const now = clock();
          const r = tick(state, now);
          await commit(r.state, r.effects, { kind: 'tick', now });
        });
      }, deps.tickEveryMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await serial(async () => {
        await evaluatePending();
        if (state && journalSinceSnapshot > 0) await commit(state, [], null, true);
        if (pending.length > 0) logger.error({ lost: pending.length }, 'stopping while the operational store refuses writes: the observations still queued are lost');
      });
    },
    observeUplink(uplink) {
      // The gateway is alive when its uplink reaches the cloud, by the cloud's clock: a
      // gateway's own clock need not be the site's (an accelerated demo, a drifting RTC).
      enqueue([{ kind: 'gateway_seen', gatewayId: uplink.gatewayId, at: clock() }, ...observationsFromUplink(uplink)]);
    },
    observeLive(live) {
      enqueue(observationsFromLive(live));
    },
    command(input) {
      return serial(async (): Promise<CommandResult> => {
        // Observations that arrived before the command are evaluated first: the order people see.
        // If the store refuses them, the command waits behind them: refused, to be sent again.
        if (!(await evaluatePending())) throw new Errors.OpsStoreUnavailable('earlier observations could not be stored; try again');
        const now = clock();
        const r = step(current(), input, now);
        if (!r.ok) return { ok: false, error: await retiredRefusal(input, r.error) };
        if (!(await commit(r.state, r.effects, { kind: 'step', now, input }))) throw new Errors.OpsStoreUnavailable('the change was not stored; try again');
        return { ok: true, effects: r.effects };
      });
    },
    reloadRules(text, by) {
      return serial(async (): Promise<ReloadResult> => {
        const now = clock();
        const r = reload(current(), text, now);
        if (!r.ok) return { ok: false, error: r.error, issues: r.issues };
        const version = await store.saveRules({ text, savedAt: now, savedBy: by });
        if (!(await commit(r.state, r.effects, { kind: 'reload', now, text }, true))) throw new Errors.OpsStoreUnavailable(`rules version ${version.version} was saved but not applied; send it again`);
        logger.info({ version: version.version, by }, 'rules reloaded');
        return { ok: true, version };
      });
    },
    onEffects(listener) {
      listeners.push(listener);
    },
    roster: () => Object.values(current().dispatch.roster),
    snapshot: () => snapshotEngine(current()),
    status() {
      const s = state;
      return {
        openAlarms: s ? s.alarms.open.size : 0,
        activeOrders: s ? s.dispatch.ix.live.size : 0,
        queuedObservations: pending.length,
        droppedObservations: dropped,
        storeFailingSince,
        lastStepAt,
      };
    },
  };
}
