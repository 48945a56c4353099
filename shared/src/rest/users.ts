import { z } from 'zod';
import { Slug } from '../ids.ts';
import { User } from '../ops/user.ts';

/** Users and API keys. A key is shown once, in the answer that made it. */
export const UserParams = z.object({ userId: Slug });
export const UserCreated = z.object({ user: User, key: z.string() });
export type UserCreated = z.infer<typeof UserCreated>;
export const ApiKeyIssued = z.object({ key: z.string() });
export const UserDisabled = z.object({ userId: Slug, disabled: z.boolean() });
