/**
 * The dispatch error catalogue: every refusal the engine can return, with a stable code the
 * REST layer, the staff phone view and tests can rely on, and the HTTP status it maps to.
 * The engine never throws these: it returns them, so a refused command leaves state as it
 * was and the caller decides how to answer. (cloud/src/errors.ts builds the HTTP errors;
 * the wiring maps `status` and `code` onto it.)
 */
export const DISPATCH_ERRORS = {
  ALARM_NOT_FOUND: { status: 404, text: (id: string) => `no alarm "${id}"` },
  ALARM_INVALID_TRANSITION: { status: 409, text: (id: string, from: string, action: string) => `alarm "${id}" is ${from}: cannot ${action} it` },
  WORK_ORDER_NOT_FOUND: { status: 404, text: (id: string) => `no work order "${id}"` },
  WORK_ORDER_INVALID_TRANSITION: { status: 409, text: (id: string, from: string, action: string) => `work order "${id}" is ${from}: cannot ${action} it` },
  WORK_ORDER_NOT_ASSIGNEE: { status: 403, text: (id: string, who: string) => `work order "${id}" is not assigned to "${who}"` },
  WORK_ORDER_ZONE_UNKNOWN: { status: 400, text: (id: string) => `zoneId: no zone "${id}" on this site` },
  WORK_ORDER_REASON_REQUIRED: { status: 400, text: (action: string) => `a reason is required to ${action}` },
  STAFF_NOT_FOUND: { status: 404, text: (id: string) => `no staff member "${id}"` },
  STAFF_LACKS_ROLE: { status: 409, text: (id: string, role: string) => `"${id}" does not have the role "${role}"` },
  STAFF_UNAVAILABLE: { status: 409, text: (id: string) => `"${id}" is not on shift or not available` },
  STAFF_INVALID: { status: 400, text: (reason: string) => `invalid staff member: ${reason}` },
  NOT_SUPERVISOR: { status: 403, text: (id: string, action: string) => `"${id}" is not a supervisor on shift: only a supervisor can ${action}` },
  RULES_INVALID: { status: 400, text: (reason: string) => `invalid rules: ${reason}` },
} as const;

export type DispatchErrorCode = keyof typeof DISPATCH_ERRORS;

export interface DispatchError {
  /** stable, prefixed like the rest of the cloud's codes: ATRIUM_WORK_ORDER_INVALID_TRANSITION */
  code: `ATRIUM_${DispatchErrorCode}`;
  status: number;
  message: string;
}

export function dispatchError<C extends DispatchErrorCode>(code: C, ...args: Parameters<(typeof DISPATCH_ERRORS)[C]['text']>): DispatchError {
  const entry = DISPATCH_ERRORS[code];
  return { code: `ATRIUM_${code}`, status: entry.status, message: (entry.text as (...a: unknown[]) => string)(...args) };
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: DispatchError };
