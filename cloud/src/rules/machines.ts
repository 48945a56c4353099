import type { CompositeState, CounterState, EventState, LevelState, SilenceState, SubjectState } from '@atrium/shared';
/**
 * The per-(rule, subject) state machines, one per rule kind. Each is a pure step function
 * over plain data holding only absolute timestamps, so a restart can rebuild or restore the
 * state and no timer ever needs re-arming: time moves only when an observation or a tick
 * says so. A step returns the same state object when nothing changed.
 */

export type Change = 'raise' | 'clear' | null;
export interface Stepped<S> {
  state: S;
  change: Change;
  /** data time the change was confirmed at */
  at: number;
}
const same = <S>(state: S, at: number): Stepped<S> => ({ state, change: null, at });

// ── level: threshold and density ────────────────────────────────────────────────────────────

export interface Bound {
  above?: number | undefined;
  below?: number | undefined;
  forS: number;
}
export interface LevelSpec {
  raise: Bound;
  clear: Bound;
  maxGapS: number;
}
export const levelInitial = (): LevelState => ({ k: 'level', active: false, pendingSince: null, prevPending: null, last: null, value: null, changedAt: null });

/** A sample covers [start, end): a minute mean covers its minute, a live occupancy is an instant. */
export interface Sample {
  start: number;
  end: number;
  value: number;
  weight: number;
}

const beyond = (b: Bound, v: number) => (b.above !== undefined ? v > b.above : b.below !== undefined && v < b.below);

/**
 * Hysteresis with minimum durations: raise once the value has been beyond `raise` for
 * raise.forS without a break, clear once it has been beyond `clear` (the other side of the
 * band) for clear.forS. A value inside the band breaks neither run's progress towards a
 * flip back, so noise around one threshold cannot make it flap.
 */
export function stepLevel(spec: LevelSpec, s: LevelState, sample: Sample): Stepped<LevelState> {
  const last = s.last;
  if (last && sample.start < last.start) return same(s, sample.end); // late: a newer sample already decided
  // Two partial means for one minute (a late record from a second sensor) are one weighted mean.
  const merged =
    last && last.start === sample.start
      ? { start: sample.start, end: Math.max(last.end, sample.end), sum: last.sum + sample.value * sample.weight, weight: last.weight + sample.weight }
      : { start: sample.start, end: sample.end, sum: sample.value * sample.weight, weight: sample.weight };
  const value = merged.weight > 0 ? merged.sum / merged.weight : sample.value;
  const bound = s.active ? spec.clear : spec.raise;
  const merging = last !== null && last.start === sample.start;
  const gap = last !== null && !merging && sample.start - last.end > spec.maxGapS * 1000;
  // The run as it stood before this sample's minute; a merge re-decides that minute from there.
  const before = merging ? s.prevPending : gap ? null : s.pendingSince;
  const pendingSince = beyond(bound, value) ? (before ?? merged.start) : null;
  if (pendingSince !== null && merged.end - pendingSince >= bound.forS * 1000) {
    return {
      state: { k: 'level', active: !s.active, pendingSince: null, prevPending: null, last: merged, value, changedAt: merged.end },
      change: s.active ? 'clear' : 'raise',
      at: merged.end,
    };
  }
  return { state: { ...s, pendingSince, prevPending: before, last: merged, value }, change: null, at: merged.end };
}

// ── counter: visits since the last reset ─────────────────────────────────────────────────────

export const counterInitial = (since: number): CounterState => ({ k: 'counter', active: false, count: 0, since, changedAt: null });

/**
 * Adds a minute's visits. A minute that overlaps the reset counts (better one cleaning early
 * than a restroom left dirty); a minute wholly before it is a late record of the old cycle.
 * The counter only grows between resets, so it cannot flap; only a reset clears it.
 */
export function counterAdd(raiseAt: number, s: CounterState, minute: number, n: number): Stepped<CounterState> {
  const at = minute + 60_000;
  if (at <= s.since || n <= 0) return same(s, at);
  const count = s.count + n;
  if (!s.active && count >= raiseAt) return { state: { ...s, count, active: true, changedAt: at }, change: 'raise', at };
  return { state: { ...s, count }, change: null, at };
}

export function counterReset(s: CounterState, at: number): Stepped<CounterState> {
  if (at < s.since) return same(s, at);
  return { state: counterInitial(at), change: s.active ? 'clear' : null, at };
}

// ── event: gate and locker events ────────────────────────────────────────────────────────────

export interface EventSpec {
  events: readonly string[];
  count?: { atLeast: number; withinS: number } | undefined;
  clear: { onEvents?: readonly string[] | undefined; afterQuietS?: number | undefined };
}
export const eventInitial = (): EventState => ({ k: 'event', active: false, recent: [], lastEventAt: null, changedAt: null });

export function stepEvent(spec: EventSpec, s: EventState, type: string, at: number): Stepped<EventState> {
  if (spec.events.includes(type)) {
    const atLeast = spec.count?.atLeast ?? 1;
    const windowMs = (spec.count?.withinS ?? Infinity) * 1000;
    const lastEventAt = Math.max(s.lastEventAt ?? at, at);
    if (s.active) return { state: { ...s, lastEventAt }, change: null, at }; // repeats keep the quiet clock from running out
    const recent = [...s.recent, at].sort((a, b) => a - b).filter((t) => at - t <= windowMs && t - at <= windowMs).slice(-atLeast);
    if (recent.length >= atLeast) return { state: { k: 'event', active: true, recent: [], lastEventAt, changedAt: at }, change: 'raise', at };
    return { state: { ...s, recent, lastEventAt }, change: null, at };
  }
  // A closing event older than the raise is from before the problem; it clears nothing.
  if (s.active && spec.clear.onEvents?.includes(type) && at >= (s.changedAt ?? -Infinity)) {
    return { state: { ...eventInitial(), lastEventAt: s.lastEventAt, changedAt: at }, change: 'clear', at };
  }
  return same(s, at);
}

/** Time passing: an event alarm with a quiet period clears once no raising event came for that long. */
export function eventQuiet(spec: EventSpec, s: EventState, now: number): Stepped<EventState> {
  const quietMs = spec.clear.afterQuietS === undefined ? undefined : spec.clear.afterQuietS * 1000;
  if (!s.active || quietMs === undefined || now - (s.lastEventAt ?? now) < quietMs) return same(s, now);
  const at = (s.lastEventAt ?? now) + quietMs;
  return { state: { ...eventInitial(), lastEventAt: s.lastEventAt, changedAt: at }, change: 'clear', at };
}

// ── silence: a device that stopped reporting ─────────────────────────────────────────────────

export interface SilenceSpec {
  factor: number;
  minQuietS: number;
  clear: { heardForS: number };
}
export const silenceInitial = (): SilenceState => ({ k: 'silence', active: false, lastSeen: null, heardSince: null, changedAt: null });
export const quietLimitMs = (spec: SilenceSpec, reportIntervalS: number) => Math.max(spec.factor * reportIntervalS, spec.minQuietS) * 1000;

export function silenceSeen(spec: SilenceSpec, s: SilenceState, at: number, reportIntervalS: number): Stepped<SilenceState> {
  if (s.lastSeen !== null && at <= s.lastSeen) return same(s, at);
  if (!s.active) return { state: { ...s, lastSeen: at }, change: null, at };
  // Heard again; a further silence gap restarts the "heard for" clock.
  const broken = s.heardSince !== null && s.lastSeen !== null && at - s.lastSeen > quietLimitMs(spec, reportIntervalS);
  const heardSince = s.heardSince === null || broken ? at : s.heardSince;
  if (at - heardSince >= spec.clear.heardForS * 1000) return { state: { k: 'silence', active: false, lastSeen: at, heardSince: null, changedAt: at }, change: 'clear', at };
  return { state: { ...s, lastSeen: at, heardSince }, change: null, at };
}

/**
 * Time passing. `baseline` stands in for a device never heard since the rule was loaded, so
 * a cloud start does not raise every device at once: each gets one quiet period of grace.
 */
/**
 * `floor`: the earliest time silence may be counted from: when the device's gateway started
 * delivering again after going quiet (its devices were unknown meanwhile, not silent).
 */
export function silenceCheck(spec: SilenceSpec, s: SilenceState, now: number, reportIntervalS: number, baseline: number, floor = -Infinity): Stepped<SilenceState> {
  const limit = quietLimitMs(spec, reportIntervalS);
  const heard = Math.max(s.lastSeen ?? baseline, floor);
  if (!s.active && now - heard >= limit) return { state: { ...s, active: true, heardSince: null, changedAt: heard + limit }, change: 'raise', at: heard + limit };
  return same(s, now);
}

// ── composite ────────────────────────────────────────────────────────────────────────────────

export const compositeInitial = (): CompositeState => ({ k: 'composite', active: false, changedAt: null });

