/**
 * How a simulated person answers a job, decided up front from one random draw per choice so
 * a seed replays the same shift. Times are simulated seconds.
 */
export interface StaffHabits {
  /** chance the phone buzz is missed entirely (the accept SLA runs out, the job moves on) */
  missRate: number;
  /** chance they decline (busy with a customer, on the wrong side of the building) */
  declineRate: number;
  /** seconds to look at the phone and accept */
  reactS: [number, number];
  /** walking speed, m/s */
  walkMps: number;
  /** seconds on site to fix it, per role */
  workS: Record<'cleaner' | 'security' | 'technician', [number, number]>;
}

export const DEFAULT_HABITS: StaffHabits = {
  missRate: 0.05,
  declineRate: 0.05,
  reactS: [15, 90],
  walkMps: 1.2,
  workS: { cleaner: [300, 720], security: [120, 600], technician: [600, 1800] },
};

export type Response =
  | { kind: 'miss' }
  | { kind: 'decline'; afterS: number; reason: string }
  | { kind: 'work'; acceptAfterS: number; walkS: number; workS: number };

const between = (rng: () => number, [lo, hi]: [number, number]) => lo + rng() * (hi - lo);
const DECLINE_REASONS = ['with a customer', 'on another urgent job', 'at the far end of the building'];

export function respond(rng: () => number, habits: StaffHabits, job: { role: 'cleaner' | 'security' | 'technician'; distanceM: number }): Response {
  const r = rng();
  if (r < habits.missRate) return { kind: 'miss' };
  if (r < habits.missRate + habits.declineRate) return { kind: 'decline', afterS: between(rng, habits.reactS), reason: DECLINE_REASONS[Math.floor(rng() * DECLINE_REASONS.length)]! };
  return { kind: 'work', acceptAfterS: between(rng, habits.reactS), walkS: job.distanceM / habits.walkMps, workS: between(rng, habits.workS[job.role]) };
}
