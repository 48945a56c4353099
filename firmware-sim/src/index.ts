/** The simulated device fleet: demo site, footfall profile, device behaviours and the MQTT runtime. */
export { createSimulator, type Simulator, type SimulatorOptions, type SimStats } from './simulator.ts';
export { buildDemoMall, serialiseSite, DEMO_SITE_ID } from './mall/build.ts';
export {
  createFootfallModel,
  expectedRate,
  expectedOccupancy,
  dwellMinutes,
  visitorArrivals,
  DEFAULT_VISITORS_PER_OPEN_HOUR,
  type FootfallModel,
  type FootfallOptions,
} from './profile/expected-rate.ts';
export { gateFlow, type GateFlow } from './profile/gate-flow.ts';
export { computeWeights, subjectKey, type Weights } from './profile/weights.ts';
export { melbourneWeek, deriveWeekProfile, WeekProfile } from './profile/week-profile.ts';
export { victorianHolidays, type Holiday } from './profile/holidays.ts';
export type { MallEvent } from './profile/calendar.ts';
export { createFleet, type Fleet, type FleetDevice } from './devices/fleet.ts';
export type { Behaviour, Emission } from './devices/types.ts';
export { FaultRates, type FaultRatesInput } from './runtime/faults.ts';
export type { DeviceTally, EventTotals, FlowTotals, LedgerSnapshot, MessageTotals, SubjectTotals, ZoneTotals } from './runtime/ledger.ts';
export { mulberry32, rngFor } from './random.ts';
export { createCrew, type Crew, type CrewOptions, type CrewStats } from './staff/crew.ts';
export { demoCrew, type SimStaffMember } from './staff/roster.ts';
export { DEFAULT_HABITS, type StaffHabits } from './staff/behaviour.ts';
export { backfillHistory, backfillIfEmpty, backfillRange, backfillUplinks, type BackfillOptions, type BackfillResult, type UplinkSink } from './backfill.ts';
export { withDeviceCopies } from './mall/scale.ts';
