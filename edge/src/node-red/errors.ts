/**
 * Stable codes for what the embedded Node-RED part refuses: admin requests without valid
 * credentials, and commands or alarms from flows that name something the site does not have.
 * Codes are what operators search logs for and what HTTP bodies carry.
 */
export const RED_ERRORS = {
  UNAUTHENTICATED: { code: 'ATRIUM_RED_UNAUTHENTICATED', status: 401 },
  TOO_MANY_LOGINS: { code: 'ATRIUM_RED_TOO_MANY_LOGINS', status: 429 },
  INVALID_LOGIN_REQUEST: { code: 'ATRIUM_RED_INVALID_LOGIN_REQUEST', status: 400 },
  NOT_STARTED: { code: 'ATRIUM_RED_NOT_STARTED', status: 503 },
  NOT_FOUND: { code: 'ATRIUM_RED_NOT_FOUND', status: 404 },
  RUNTIME_TAKEN: { code: 'ATRIUM_RED_RUNTIME_TAKEN', status: 500 },
  UNKNOWN_DEVICE: { code: 'ATRIUM_RED_UNKNOWN_DEVICE', status: 400 },
  UNKNOWN_ZONE: { code: 'ATRIUM_RED_UNKNOWN_ZONE', status: 400 },
  NO_TARGET: { code: 'ATRIUM_RED_NO_TARGET', status: 400 },
  INVALID_COMMAND: { code: 'ATRIUM_RED_INVALID_COMMAND', status: 400 },
  INVALID_ALARM: { code: 'ATRIUM_RED_INVALID_ALARM', status: 400 },
  INVALID_NODE_CONFIG: { code: 'ATRIUM_RED_INVALID_NODE_CONFIG', status: 400 },
  INTERNAL: { code: 'ATRIUM_RED_INTERNAL', status: 500 },
  GATEWAY_STOPPED: { code: 'ATRIUM_RED_GATEWAY_STOPPED', status: 503 },
} as const;

export type RedErrorKind = keyof typeof RED_ERRORS;
export type RedErrorCode = (typeof RED_ERRORS)[RedErrorKind]['code'];

export class RedError extends Error {
  override name = 'RedError';
  readonly code: RedErrorCode;
  readonly status: number;
  constructor(kind: RedErrorKind, message: string) {
    super(message);
    this.code = RED_ERRORS[kind].code;
    this.status = RED_ERRORS[kind].status;
  }
}

/** What flows and the HTTP gate get back instead of a throw: a code and a message naming the field. */
export type Refusal = { ok: false; error: RedError };
export type Outcome = { ok: true } | Refusal;
export const refused = (kind: RedErrorKind, message: string): Refusal => ({ ok: false, error: new RedError(kind, message) });
