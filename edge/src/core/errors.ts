/**
 * The edge's one error catalogue. Every stable code the edge gives out is a key here, with one
 * shape: who meets it, the HTTP status it answers with where it is answered over HTTP, and
 * what it means. Codes are what metric labels, log fields, HTTP bodies and the CLI carry, and
 * what operators search for; they never change.
 *
 * - device: a device's connection or message refused. These codes are the `reason` labels of
 *   docs/protocol.md (part of the protocol), so they stay lower-case. Refusals are data
 *   (`Rejection`), not throws: a flooding device must not cost a stack trace per message.
 * - operator: the provisioning CLI and its credential store (`npm run devices`).
 * - flow: the embedded Node-RED: its admin API behind the edge's login, and commands or alarms
 *   from flows that name something the site does not have.
 */
export const EDGE_ERRORS = {
  auth_failed: { audience: 'device', status: 401, means: 'wrong password, including one that was rotated away' },
  unknown_device: { audience: 'device', status: 404, means: 'not a device of this site' },
  client_id_mismatch: { audience: 'device', status: 400, means: 'client id differs from the username' },
  invalid_client_id: { audience: 'device', status: 400, means: 'client id is not a device id: wildcards (+ #), "/" or anything else outside the slug alphabet' },
  not_provisioned: { audience: 'device', status: 401, means: 'in the site model but never given credentials (npm run devices -- add)' },
  device_disabled: { audience: 'device', status: 403, means: 'disabled by an operator' },
  login_throttled: { audience: 'device', status: 429, means: 'too many wrong passwords lately from this address or for this device: refused without checking until the backoff expires (CONNACK "server unavailable")' },
  credentials_rotated: { audience: 'device', status: 401, means: 'a session opened with a password that has since been rotated' },
  outbox_full: { audience: 'device', status: 503, means: 'telemetry held while the outbox was full, from a device that left before it could be taken' },
  packet_too_large: { audience: 'device', status: 413, means: 'a packet declaring more bytes than the gateway takes (CONNECT: the payload limit plus 1 KiB; others: four times the payload limit plus 1 KiB), closed before it is read' },
  malformed_packet: { audience: 'device', status: 400, means: 'bytes that are not MQTT framing, or a first packet that is not CONNECT; closed' },
  connect_timeout: { audience: 'device', status: 408, means: 'a connection that did not log in within the connect timeout; closed' },
  too_many_connections: { audience: 'device', status: 503, means: 'too many connections waiting to log in, in total or from this address; closed at once' },
  tls_handshake_failed: { audience: 'device', status: 400, means: 'a connection to the TLS port that did not complete a TLS handshake (e.g. plain MQTT)' },
  topic_not_allowed: { audience: 'device', status: 403, means: 'a publish outside the device\'s own topics' },
  subscribe_not_allowed: { audience: 'device', status: 403, means: 'a subscription outside the device\'s own command topics' },
  unknown_channel: { audience: 'device', status: 404, means: 'a channel the device\'s family does not have' },
  payload_too_large: { audience: 'device', status: 413, means: 'larger than the gateway\'s payload limit' },
  invalid_json: { audience: 'device', status: 400, means: 'the payload is not JSON' },
  invalid_payload: { audience: 'device', status: 400, means: 'the payload does not match its channel\'s schema (the detail names the field)' },
  clock_skew: { audience: 'device', status: 400, means: 'device time too far ahead of the gateway\'s clock (or, when a maximum age is set, behind it)' },
  implausible_count: { audience: 'device', status: 400, means: 'a count its kind cannot produce in its period: more line crossings than the per-minute limit, more people than the zone holds' },
  duplicate: { audience: 'device', status: 409, means: 'a resend of a reading already journaled; acknowledged, stored once' },
  rate_limited: { audience: 'device', status: 429, means: 'over the device\'s publish budget' },
  protocol_violation: { audience: 'device', status: 400, means: 'what the broker itself refuses, e.g. a topic deeper than 8 levels' },

  ATRIUM_EDGE_INVALID_ARGUMENT: { audience: 'operator', status: 400, means: 'a command line that cannot be run as given' },
  ATRIUM_EDGE_UNKNOWN_DEVICE: { audience: 'operator', status: 404, means: 'no such device in the site model' },
  ATRIUM_EDGE_DEVICE_EXISTS: { audience: 'operator', status: 409, means: 'the device has credentials already' },
  ATRIUM_EDGE_DEVICE_NOT_PROVISIONED: { audience: 'operator', status: 409, means: 'the device has no credentials here yet' },
  ATRIUM_EDGE_METRICS_UNAUTHENTICATED: { audience: 'operator', status: 401, means: 'GET /metrics without the bearer token ATRIUM_METRICS_TOKEN (or on an edge where none is set)' },

  ATRIUM_RED_UNAUTHENTICATED: { audience: 'flow', status: 401, means: 'the Node-RED editor or admin API without valid credentials' },
  ATRIUM_RED_TOO_MANY_LOGINS: { audience: 'flow', status: 429, means: 'too many failed logins; try again later' },
  ATRIUM_RED_INVALID_LOGIN_REQUEST: { audience: 'flow', status: 400, means: 'a login request that is not one' },
  ATRIUM_RED_NOT_STARTED: { audience: 'flow', status: 503, means: 'Node-RED is not running yet' },
  ATRIUM_RED_NOT_FOUND: { audience: 'flow', status: 404, means: 'nothing at this path' },
  ATRIUM_RED_RUNTIME_TAKEN: { audience: 'flow', status: 500, means: 'another gateway in this process embeds Node-RED (one runtime per process)' },
  ATRIUM_RED_UNKNOWN_DEVICE: { audience: 'flow', status: 400, means: 'a flow named a device the site does not have' },
  ATRIUM_RED_UNKNOWN_ZONE: { audience: 'flow', status: 400, means: 'a flow named a zone the site does not have' },
  ATRIUM_RED_NO_TARGET: { audience: 'flow', status: 400, means: 'a command that reaches no device' },
  ATRIUM_RED_INVALID_COMMAND: { audience: 'flow', status: 400, means: 'a device command that cannot be sent' },
  ATRIUM_RED_INVALID_ALARM: { audience: 'flow', status: 400, means: 'a local alarm that does not parse' },
  ATRIUM_RED_INVALID_NODE_CONFIG: { audience: 'flow', status: 400, means: 'an Atrium node configured wrongly' },
  ATRIUM_RED_INTERNAL: { audience: 'flow', status: 500, means: 'the request failed inside the gateway' },
  ATRIUM_RED_GATEWAY_STOPPED: { audience: 'flow', status: 503, means: 'the gateway is stopping; nothing more is sent' },
} as const satisfies Record<string, { audience: 'device' | 'operator' | 'flow'; status: number; means: string }>;

export type EdgeErrorCode = keyof typeof EDGE_ERRORS;
type CodeFor<A> = { [C in EdgeErrorCode]: (typeof EDGE_ERRORS)[C]['audience'] extends A ? C : never }[EdgeErrorCode];
/** The refusal reasons of the device protocol (docs/protocol.md). */
export type RejectionCode = CodeFor<'device'>;
/** What is thrown or answered to operators and flows. */
export type EdgeFailureCode = CodeFor<'operator' | 'flow'>;

/** A device's connection or message refused: the reason, and what was wrong, naming the field where there is one. */
export interface Rejection {
  code: RejectionCode;
  detail: string;
}

export class EdgeError extends Error {
  override name = 'EdgeError';
  readonly status: number;
  constructor(
    readonly code: EdgeFailureCode,
    message: string,
  ) {
    super(message);
    this.status = EDGE_ERRORS[code].status;
  }
}

/** What flows and the Node-RED gate get back instead of a throw: the error, with its code and a message naming the field. */
export type Failed = { ok: false; error: EdgeError };
export type Outcome = { ok: true } | Failed;
export const failed = (code: EdgeFailureCode, message: string): Failed => ({ ok: false, error: new EdgeError(code, message) });
