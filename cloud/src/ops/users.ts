import { parseWith, UserInput, type Principal, type SiteModel, type User, type UserRecord } from '@atrium/shared';
import { generateApiKey, hashApiKey } from '../auth/api-keys.ts';
import { Errors } from '../errors.ts';
import type { OpsStore } from './ops-store.ts';
import { isUniqueViolation } from '../db/sql-client.ts';

/**
 * Users and their API keys. A key is returned once, when it is made; the store keeps its hash.
 * `admin` bootstraps from configuration (ATRIUM_ADMIN_KEY) so a fresh installation can be
 * reached at all; everyone else is created through the API or the CLI.
 */
export interface Users {
  create(input: unknown, now: number): Promise<{ user: User; key: string }>;
  rotate(id: string): Promise<{ key: string }>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  list(): Promise<User[]>;
  principalByKeyHash(keyHash: string): Promise<Principal | null>;
  /** the enabled user with this id, as a principal, or null (sessions name their user) */
  principalById(userId: string): Promise<Principal | null>;
  /** Makes `admin` exist and answer to `key` (a changed key replaces the old one). */
  ensureAdmin(key: string, now: number): Promise<void>;
  /** Told the user id whose old key stopped working (disabled, rotated): open sessions must end. */
  onRevoked(listener: (userId: string) => void): () => void;
}

const publicView = ({ keyHash: _hash, ...user }: UserRecord): User => user;
const principalOf = (u: User): Principal => ({ siteId: u.siteId, userId: u.userId, role: u.role, staffId: u.staffId, merchantId: u.merchantId });

export function createUsers(store: OpsStore, site: SiteModel): Users {
  const revokedListeners = new Set<(userId: string) => void>();
  const revoked = (userId: string) => {
    for (const l of revokedListeners) l(userId);
  };
  const merchants = new Set(site.merchants.map((m) => m.id));
  /** A user must point at a staff member and a merchant that exist on this site: checked here, named by field. */
  const checkReferences = async (u: UserInput) => {
    if (u.merchantId !== undefined && !merchants.has(u.merchantId)) throw new Errors.InvalidRequest(`merchantId: no merchant "${u.merchantId}" on site "${site.id}"`);
    if (u.staffId !== undefined && !(await store.listStaff()).some((m) => m.id === u.staffId)) {
      throw new Errors.InvalidRequest(`staffId: no staff member "${u.staffId}" on site "${site.id}" (add them to the roster first)`);
    }
  };
  return {
    async create(input, now) {
      const parsed = parseWith(UserInput, input);
      if (!parsed.ok) throw new Errors.InvalidRequest(parsed.reason);
      await checkReferences(parsed.value);
      const key = generateApiKey();
      const user: User = { siteId: site.id, userId: parsed.value.userId, role: parsed.value.role, staffId: parsed.value.staffId ?? null, merchantId: parsed.value.merchantId ?? null, disabled: false, createdAt: now };
      try {
        await store.addUser({ ...user, keyHash: hashApiKey(key) });
      } catch (err) {
        if (isUniqueViolation(err)) throw new Errors.UserExists(user.userId);
        throw err;
      }
      return { user, key };
    },
    async rotate(id) {
      const key = generateApiKey();
      if (!(await store.setUserKeyHash(id, hashApiKey(key)))) throw new Errors.UserNotFound(id);
      revoked(id);
      return { key };
    },
    async setDisabled(id, disabled) {
      if (!(await store.setUserDisabled(id, disabled))) throw new Errors.UserNotFound(id);
      if (disabled) revoked(id);
    },
    async list() {
      return (await store.listUsers()).map(publicView);
    },
    async principalByKeyHash(keyHash) {
      const u = await store.userByKeyHash(keyHash);
      return u && !u.disabled ? principalOf(u) : null;
    },
    async principalById(userId) {
      // a site has tens to hundreds of users; a scan is cheaper than a second lookup path to keep right
      const u = (await store.listUsers()).find((x) => x.userId === userId);
      return u && !u.disabled ? principalOf(u) : null;
    },
    async ensureAdmin(key, now) {
      const hash = hashApiKey(key);
      const admin = (await store.listUsers()).find((u) => u.userId === 'admin');
      if (!admin) await store.addUser({ siteId: site.id, userId: 'admin', role: 'admin', staffId: null, merchantId: null, keyHash: hash, disabled: false, createdAt: now });
      else if (admin.keyHash !== hash || admin.disabled) {
        await store.setUserKeyHash('admin', hash);
        await store.setUserDisabled('admin', false);
        revoked('admin');
      }
    },
    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },
  };
}
