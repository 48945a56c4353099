import type { DispatchPolicy, DispatchRole, RuleSet, SlaTargets } from '@atrium/shared';


/**
 * Defaults by role, used where a policy leaves them out. Security is P1 because a forced
 * door is a person somewhere they should not be; cleaning is customer-visible within the
 * quarter hour; a technician's job (air handling, a dead sensor) can wait for a round.
 */
export const ROLE_DEFAULTS: Readonly<Record<DispatchRole, { priority: number; sla: SlaTargets }>> = {
  security: { priority: 1, sla: { acceptS: 120, arriveS: 300, resolveS: 1800 } },
  cleaner: { priority: 2, sla: { acceptS: 300, arriveS: 900, resolveS: 2700 } },
  technician: { priority: 3, sla: { acceptS: 900, arriveS: 1800, resolveS: 4 * 3600 } },
};

/** Everything dispatch needs about one alarm type, defaults filled in. */
export interface ResolvedPolicy {
  type: string;
  role: DispatchRole;
  priority: number;
  sla: SlaTargets;
  verify: DispatchPolicy['verify'];
  cancelOnSelfClear: boolean;
  resolveClearsAlarm: boolean;
  resetOnResolve: string | null;
  groupWithinS: number;
}

/** null: the alarm type is shown to the control room but not dispatched. */
export function policyFor(ruleSet: RuleSet, type: string): ResolvedPolicy | null {
  const p = ruleSet.dispatch[type];
  if (!p) return null;
  const d = ROLE_DEFAULTS[p.role];
  const acceptS = p.sla?.acceptS ?? d.sla.acceptS;
  const arriveS = Math.max(p.sla?.arriveS ?? d.sla.arriveS, acceptS);
  const resolveS = Math.max(p.sla?.resolveS ?? d.sla.resolveS, arriveS);
  return {
    type,
    role: p.role,
    priority: p.priority ?? d.priority,
    sla: { acceptS, arriveS, resolveS },
    verify: p.verify,
    cancelOnSelfClear: p.cancelOnSelfClear,
    resolveClearsAlarm: p.resolveClearsAlarm,
    resetOnResolve: p.resetOnResolve ?? null,
    groupWithinS: p.groupWithinS,
  };
}
