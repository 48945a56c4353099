import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys: 32 random bytes, shown once, stored as a SHA-256 hash. A slow hash (scrypt)
 * protects guessable passwords; a key with 256 bits of entropy gains nothing from it and
 * every request would pay for it.
 */
export const KEY_PREFIX = 'atr_';

export const generateApiKey = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** `Authorization: Bearer <key>` → the key, or null when the header is absent or of another scheme. */
export function bearerKey(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}
