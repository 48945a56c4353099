import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '@atrium/shared';
import { Errors, retryAfter } from '../errors.ts';
import { HasherBusy, type PasswordHasher } from './passwords.ts';
import type { PasswordStore } from './password-store.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

/**
 * People's sign-in, independent of HTTP: passwords checked against memory-hard hashes behind
 * the throttle, password changes, and admin-started resets. Ending sessions is the session
 * store's job; this service tells it whose to end.
 */
export interface AccountsDeps {
  passwords: PasswordStore;
  hasher: PasswordHasher;
  throttle: SignInThrottle;
  /** the enabled user with this id, or null */
  principalById: (userId: string) => Promise<Principal | null>;
  /** ends a user's sessions (but `exceptSid`), answers how many */
  endSessions: (userId: string, exceptSid?: string) => Promise<number>;
  /** how long a reset link stays valid */
  resetValidMs: number;
}

export interface Accounts {
  /** The principal, or SignInFailed / SignInThrottled (with the seconds to wait). */
  signIn(input: { userId: string; password: string; address: string }, now: number): Promise<Principal>;
  /** Sets a new password after checking the current one; the user's other sessions end. */
  changePassword(input: { userId: string; currentPassword: string; newPassword: string; sid: string }, now: number): Promise<number>;
  /** A one-time token for `userId` to choose a password with; any earlier token stops working. */
  startReset(userId: string, now: number): Promise<{ token: string; expiresAt: number }>;
  /** Uses a reset token; every session of its user ends. */
  completeReset(input: { token: string; newPassword: string }, now: number): Promise<{ userId: string; signedOutSessions: number }>;
  /** Start-up only: gives a user a password unless they have one (the demo's people). */
  ensurePassword(userId: string, password: string, now: number): Promise<void>;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export function createAccounts(deps: AccountsDeps): Accounts {
  const throttled = (waitMs: number) => {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return retryAfter(new Errors.SignInThrottled(seconds), seconds);
  };
  const check = async (password: string, stored: string | null) => {
    try {
      return await deps.hasher.verify(password, stored);
    } catch (err) {
      if (err instanceof HasherBusy) throw throttled(1000);
      throw err;
    }
  };
  return {
    async signIn({ userId, password, address }, now) {
      const wait = deps.throttle.wait(userId, address, now);
      if (wait > 0) throw throttled(wait);
      const principal = await deps.principalById(userId);
      // An unknown or disabled user costs the same hash as a wrong password: no timing tells them apart.
      const ok = await check(password, principal ? await deps.passwords.hashOf(userId) : null);
      if (!ok || !principal) {
        deps.throttle.failed(userId, address, now);
        throw new Errors.SignInFailed();
      }
      deps.throttle.succeeded(userId, address);
      return principal;
    },
    async changePassword({ userId, currentPassword, newPassword, sid }, now) {
      if (!(await check(currentPassword, await deps.passwords.hashOf(userId)))) throw new Errors.PasswordWrong();
      await deps.passwords.setHash(userId, await deps.hasher.hash(newPassword), now);
      return deps.endSessions(userId, sid);
    },
    async startReset(userId, now) {
      if (!(await deps.principalById(userId))) throw new Errors.UserNotFound(userId);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + deps.resetValidMs;
      await deps.passwords.setReset(userId, tokenHash(token), expiresAt);
      return { token, expiresAt };
    },
    async completeReset({ token, newPassword }, now) {
      const userId = await deps.passwords.takeReset(tokenHash(token), now);
      if (!userId || !(await deps.principalById(userId))) throw new Errors.ResetTokenInvalid();
      await deps.passwords.setHash(userId, await deps.hasher.hash(newPassword), now);
      return { userId, signedOutSessions: await deps.endSessions(userId) };
    },
    async ensurePassword(userId, password, now) {
      if ((await deps.passwords.hashOf(userId)) === null) await deps.passwords.setHash(userId, await deps.hasher.hash(password), now);
    },
  };
}
