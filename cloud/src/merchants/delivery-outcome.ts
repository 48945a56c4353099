import type { DeliveryLogEntry } from '@atrium/shared';
import { seconds } from './webhook-http.ts';

/**
 * What a merchant reads in the delivery log: an outcome ("answered 500", "timed out after 10 s",
 * "refused: the address is in a private range"), never what a host answered or a socket error's
 * text, which would tell them which internal ports are open. The dispatcher writes only these
 * phrases; the API shows the log through merchantView as well, so rows written before this rule
 * (raw errors such as "fetch failed: connect ECONNREFUSED 10.0.0.5:6379") are shown as outcomes too.
 */
export const OUTCOME = {
  answered: (status: number): string => (status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}`),
  removed: 'not sent: the subscription or its webhook was removed',
  unknown: 'could not deliver',
} as const;

const PHRASES: readonly RegExp[] = [
  /^answered \d{3}( \(redirects are not followed\))?$/,
  /^refused: the (address|URL) [^\n]{1,200}$/,
  /^timed out after [\d.]+ s$/,
  /^could not (resolve the host name|connect|deliver)$/,
  /^the connection closed before an answer$/,
  /^TLS failed: the certificate or handshake was not accepted$/,
  /^the answer was not valid HTTP$/,
  /^interrupted: the cloud stopped during the attempt$/,
  /^not sent: [a-z0-9 (),.]+$/,
];

/** A delivery as the merchant may see it: every error an outcome. */
export function merchantView(d: DeliveryLogEntry): DeliveryLogEntry {
  return { ...d, lastError: publicOutcome(d.lastError), attempts: d.attempts.map((a) => ({ ...a, error: publicOutcome(a.error) })) };
}

/** A stored error as the merchant may see it. */
export function publicOutcome(stored: string | null): string | null {
  if (stored === null) return null;
  if (PHRASES.some((p) => p.test(stored))) return stored;
  const legacyStatus = /^HTTP (\d{3})$/.exec(stored);
  if (legacyStatus) return OUTCOME.answered(Number(legacyStatus[1]));
  const legacyTimeout = /^no answer within (\d+) ms$/.exec(stored);
  if (legacyTimeout) return `timed out after ${seconds(Number(legacyTimeout[1]))}`;
  if (stored === 'subscription removed' || stored === 'the subscription or its webhook was removed') return OUTCOME.removed;
  return OUTCOME.unknown;
}
