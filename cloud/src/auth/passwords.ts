import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are stored as scrypt hashes: memory-hard, so guessing on GPUs is costly, and
 * built into Node, so no native module to build. Node runs scrypt on its thread pool, never
 * on the event loop; `createPasswordHasher` also bounds how many run at once, because each
 * takes 32 MiB and a burst of sign-ins must not take the whole pool (DNS and file reads use it).
 *
 * Stored form: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url), so the cost can be raised
 * later and old hashes still verify.
 */
export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}

/** About 60–100 ms and 32 MiB per hash on one core of a small server. */
export const DEFAULT_COST: ScryptCost = { log2N: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function parseStored(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | null {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!m) return null;
  const cost = { log2N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // a stored hash is our own writing, but a tampered row must not make one check cost minutes
  if (cost.log2N < 10 || cost.log2N > 20 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 4) return null;
  return { cost, salt: Buffer.from(m[4]!, 'base64url'), hash: Buffer.from(m[5]!, 'base64url') };
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** false for a wrong password and for a stored value that is not a hash this build reads */
  verify(password: string, stored: string | null): Promise<boolean>;
  /** checks waiting for a slot now (for metrics) */
  readonly waiting: number;
}

/** Thrown when more checks wait than `maxWaiting`: the caller answers 429 rather than queueing without end. */
export class HasherBusy extends Error {
  constructor() {
    super('too many password checks are waiting');
  }
}

export function createPasswordHasher(opts: { cost?: ScryptCost; concurrency?: number; maxWaiting?: number } = {}): PasswordHasher {
  const cost = opts.cost ?? DEFAULT_COST;
  const concurrency = opts.concurrency ?? 2;
  const maxWaiting = opts.maxWaiting ?? 64;
  let running = 0;
  const queue: (() => void)[] = [];
  // A dummy hash to verify against for unknown users, so answering "no" takes as long for
  // a user who does not exist as for a wrong password.
  let decoy: Promise<string> | null = null;

  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (queue.length >= maxWaiting) throw new HasherBusy();
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    running++;
    try {
      return await work();
    } finally {
      running--;
      queue.shift()?.();
    }
  }

  const hash = (password: string) =>
    slot(async () => {
      const salt = randomBytes(16);
      const key = await derive(password, salt, cost);
      return `scrypt$${cost.log2N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
    });

  return {
    hash,
    async verify(password, stored) {
      const parsed = stored === null ? null : parseStored(stored);
      if (!parsed) {
        decoy ??= hash('not a password anyone has');
        const d = parseStored(await decoy)!;
        await slot(() => derive(password, d.salt, d.cost));
        return false;
      }
      const key = await slot(() => derive(password, parsed.salt, parsed.cost));
      return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    },
    get waiting() {
      return queue.length;
    },
  };
}
