/**
 * The edge's catalogue of reasons for refusing device input. Codes are stable: they are
 * metric labels, log fields and what operators search for.
 */
export const REJECTION = {
  AUTH_FAILED: 'auth_failed',
  UNKNOWN_DEVICE: 'unknown_device',
  CLIENT_ID_MISMATCH: 'client_id_mismatch',
  /** not a device id: wildcards (+ #), "/" or anything else outside the slug alphabet */
  INVALID_CLIENT_ID: 'invalid_client_id',
  /** in the site model but never given credentials (npm run devices -- add) */
  NOT_PROVISIONED: 'not_provisioned',
  DEVICE_DISABLED: 'device_disabled',
  /** a session opened with a password that has since been rotated */
  CREDENTIALS_ROTATED: 'credentials_rotated',
  /** telemetry held while the outbox was full, from a device that left before it could be taken */
  OUTBOX_FULL: 'outbox_full',
  /** a connection to the TLS port that did not complete a TLS handshake (e.g. plain MQTT) */
  TLS_HANDSHAKE_FAILED: 'tls_handshake_failed',
  TOPIC_NOT_ALLOWED: 'topic_not_allowed',
  SUBSCRIBE_NOT_ALLOWED: 'subscribe_not_allowed',
  UNKNOWN_CHANNEL: 'unknown_channel',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  INVALID_JSON: 'invalid_json',
  INVALID_PAYLOAD: 'invalid_payload',
  DUPLICATE: 'duplicate',
  RATE_LIMITED: 'rate_limited',
  PROTOCOL_VIOLATION: 'protocol_violation',
} as const;

export type RejectionCode = (typeof REJECTION)[keyof typeof REJECTION];

export interface Rejection {
  code: RejectionCode;
  /** What was wrong, naming the field where there is one. */
  detail: string;
}
