import { z } from 'zod';
import { Slug } from '../ids.ts';
import { Principal, type Role } from '../ops/user.ts';
import { At } from '../ops/time.ts';

/**
 * Sign-in for people: a password starts a session held in an httpOnly cookie; machines keep
 * API keys. Every state change made with a session carries the session's CSRF token in the
 * `x-csrf-token` header.
 */

/** Long passphrases welcome; the upper bound only keeps one hash from costing too much. */
export const NewPassword = z
  .string()
  .min(10, 'must be at least 10 characters (a few words make a good one)')
  .max(256, 'must be at most 256 characters');

export const SignInBody = z.strictObject({
  userId: Slug,
  // Checked against the stored hash only; its rules are NewPassword's, when it is set.
  password: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
});
export type SignInBody = z.infer<typeof SignInBody>;

/** Where each role lands after signing in, and where a page it may not see sends it. */
export const ROLE_HOMES = {
  admin: '/admin.html',
  operator: '/',
  supervisor: '/',
  staff: '/staff.html',
  merchant: '/merchant.html',
} as const satisfies Record<Role, string>;
export const homeFor = (role: Role): string => ROLE_HOMES[role];

/** The signed-in person, as a page asks for it on load (GET /api/v1/session). */
export const SessionInfo = z.object({
  principal: Principal,
  /** send as `x-csrf-token` with every POST, PUT, PATCH and DELETE */
  csrfToken: z.string().min(1),
  home: z.string().startsWith('/'),
  signedInAt: At,
  /** when the session ends unless used again before */
  idleExpiresAt: At,
  /** when the session ends however much it is used */
  expiresAt: At,
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const PasswordChangeBody = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(256),
  newPassword: NewPassword,
});

/** An admin starts a reset: the token is shown once, to be handed to the person. */
export const PasswordResetIssued = z.object({
  token: z.string().min(1),
  /** the sign-in page with the token in its fragment (never sent to a server log) */
  link: z.string().startsWith('/'),
  expiresAt: At,
});
export type PasswordResetIssued = z.infer<typeof PasswordResetIssued>;

export const PasswordResetBody = z.strictObject({
  token: z.string().min(1, 'is required').max(200),
  newPassword: NewPassword,
});

export const PasswordSet = z.object({ userId: Slug, signedOutSessions: z.number().int().nonnegative() });
