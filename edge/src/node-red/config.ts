import { z } from 'zod';
import { Secret } from '@atrium/shared';

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** The embedded Node-RED's variables; spread into the edge's EdgeEnv (config.ts). */
export const NODE_RED_ENV = {
  /** Local flows in the gateway; off unless asked for, because it needs an admin password and a data directory on disk. */
  ATRIUM_RED_ENABLED: z.stringbool().default(false),
  ATRIUM_RED_ADMIN_USER: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 chars of letters, digits, ".", "_", "@" or "-"').default('admin'),
  /** Either a plain password (hashed at start) or a bcrypt hash, as Node-RED's own settings take it. */
  ATRIUM_RED_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(72, 'must be at most 72 bytes (bcrypt ignores the rest)').optional(),
  ATRIUM_RED_ADMIN_PASSWORD_HASH: z.string().regex(BCRYPT_HASH, 'must be a bcrypt hash ($2a$/$2b$/$2y$…), e.g. from `npx node-red admin hash-pw`').optional(),
  /** Encrypts the flows' credentials file; losing it makes stored node credentials unreadable. */
  ATRIUM_RED_CREDENTIAL_SECRET: Secret.optional(),
};

type NodeRedEnv = z.output<z.ZodObject<typeof NODE_RED_ENV>>;

/** Node-RED's settings by what they are for. */
export interface RedConfig {
  readonly enabled: boolean;
  /** The editor's login: exactly one of password and passwordHash is set when enabled. */
  readonly admin: { readonly user: string; readonly password: string | undefined; readonly passwordHash: string | undefined };
  /** Set whenever enabled (the edge config requires it). */
  readonly credentialSecret: string | undefined;
}

export const redConfigFromEnv = (e: NodeRedEnv): RedConfig => ({
  enabled: e.ATRIUM_RED_ENABLED,
  admin: { user: e.ATRIUM_RED_ADMIN_USER, password: e.ATRIUM_RED_ADMIN_PASSWORD, passwordHash: e.ATRIUM_RED_ADMIN_PASSWORD_HASH },
  credentialSecret: e.ATRIUM_RED_CREDENTIAL_SECRET,
});

/** Cross-field rules, checked only when Node-RED is on so a gateway without it needs none of this. */
export function checkNodeRedEnv(cfg: NodeRedEnv & { ATRIUM_EDGE_DATA_DIR: string }, ctx: z.RefinementCtx): void {
  if (!cfg.ATRIUM_RED_ENABLED) return;
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const given = [cfg.ATRIUM_RED_ADMIN_PASSWORD, cfg.ATRIUM_RED_ADMIN_PASSWORD_HASH].filter((v) => v !== undefined).length;
  if (given !== 1) issue('ATRIUM_RED_ADMIN_PASSWORD', 'with ATRIUM_RED_ENABLED=true set exactly one of ATRIUM_RED_ADMIN_PASSWORD or ATRIUM_RED_ADMIN_PASSWORD_HASH');
  if (cfg.ATRIUM_RED_CREDENTIAL_SECRET === undefined) issue('ATRIUM_RED_CREDENTIAL_SECRET', 'is required with ATRIUM_RED_ENABLED=true (it encrypts the flows\' credentials)');
  if (cfg.ATRIUM_EDGE_DATA_DIR === ':memory:') issue('ATRIUM_EDGE_DATA_DIR', 'must be a directory with ATRIUM_RED_ENABLED=true: flows are kept in its node-red/ folder');
}
