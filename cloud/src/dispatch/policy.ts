import type { DispatchPolicy, DispatchRole, HandRaisedOrder, RuleSet, SlaTargets } from '@atrium/shared';


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

/**
 * A hand-raised order's policy. The type's policy lends its SLA, priority and counter reset
 * when it is for the same role; otherwise the role's defaults. No alarm stands behind it, so
 * nothing can clear by itself and no sensor can verify it: a person signs it off. A cleaner's
 * job resets the zone's cleaning counters when resolved, as a cleaning does.
 */
export function handRaisedPolicy(ruleSet: RuleSet, order: HandRaisedOrder): ResolvedPolicy {
  const typed = policyFor(ruleSet, order.type);
  const base = typed?.role === order.role ? typed : null;
  const d = ROLE_DEFAULTS[order.role];
  return {
    type: order.type,
    role: order.role,
    priority: order.priority ?? base?.priority ?? d.priority,
    sla: base?.sla ?? d.sla,
    verify: { by: 'supervisor', clearForS: 0, withinS: base?.verify.withinS ?? 3600 },
    cancelOnSelfClear: false,
    resolveClearsAlarm: false,
    resetOnResolve: base?.resetOnResolve ?? (order.role === 'cleaner' ? 'cleaning' : null),
    groupWithinS: 0,
  };
}
