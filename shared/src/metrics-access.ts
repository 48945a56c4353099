import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read `GET /metrics` on the edge and the cloud: Prometheus, with the bearer token
 * both read from ATRIUM_METRICS_TOKEN (scrape config: `authorization: { credentials_file: … }`).
 * The metrics name devices, refusal counts and backlogs: an inventory and a probe's feedback
 * loop, so they are not public. With no token configured, the token never matches.
 */
export const METRICS_TOKEN_HINT = 'send "Authorization: Bearer <ATRIUM_METRICS_TOKEN>"';

/** `Authorization: Bearer <token>` against the configured token, in constant time. */
export function metricsTokenMatches(authorization: string | undefined, token: string | undefined): boolean {
  if (!token || !authorization) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return false;
  // Hashed first so the comparison takes the same time whatever the lengths.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
