import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Device passwords at rest: scrypt with a per-device random salt, stored as
 * `scrypt$N$r$p$salt$key` so the cost can be raised later without invalidating old hashes.
 *
 * Cost N=2^12 (4 MiB, ~9 ms here) rather than the 2^14+ advised for human passwords: every
 * device password is 192 random bits minted by the gateway, so guessing is hopeless at any
 * cost, while the whole mall reconnecting after a power cut pays this once per device on a
 * small gateway CPU. What the hash buys is that a copied store holds no usable credential.
 */
const COST = { N: 2 ** 12, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

const derive = (password: string | Buffer, salt: Buffer, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, { ...opts, maxmem: 256 * (opts.N ?? COST.N) * (opts.r ?? COST.r) }, (err, key) => (err ? reject(err) : resolve(key))));

/** A fresh device password: 24 random bytes, URL-safe, nothing to escape in a config file. */
export const newPassword = (): string => randomBytes(24).toString('base64url');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison; false for a malformed stored hash rather than an exception at CONNECT. */
export async function verifyPassword(given: string | Buffer, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(given, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
