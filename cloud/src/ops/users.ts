import { generateApiKey, hashApiKey } from '../auth/api-keys.ts';
import { Principal } from '../auth/principal.ts';
import { Errors } from '../errors.ts';
import type { OpsStore, StoredUser } from './ops-store.ts';
import { isUniqueViolation } from './sql-ops-store.ts';

/**
 * Users and their API keys. A key is returned once, when it is made; the store keeps its hash.
 * `admin` bootstraps from configuration (ATRIUM_ADMIN_KEY) so a fresh installation can be
 * reached at all; everyone else is created through the API or the CLI.
 */
export interface Users {
  create(input: unknown, now: number): Promise<{ user: Principal; key: string }>;
  rotate(id: string): Promise<{ key: string }>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  list(): Promise<Array<Principal & { disabled: boolean; createdAt: number }>>;
  principalByKeyHash(keyHash: string): Promise<Principal | null>;
  /** Makes `admin` exist and answer to `key` (a changed key replaces the old one). */
  ensureAdmin(key: string, now: number): Promise<void>;
}

const publicView = (u: StoredUser) => ({ userId: u.userId, role: u.role, staffId: u.staffId, merchantId: u.merchantId, disabled: u.disabled, createdAt: u.createdAt });

export function createUsers(store: OpsStore): Users {
  return {
    async create(input, now) {
      const parsed = Principal.safeParse(input);
      if (!parsed.success) throw new Errors.InvalidRequest(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
      const key = generateApiKey();
      try {
        await store.addUser({ ...parsed.data, keyHash: hashApiKey(key), disabled: false, createdAt: now });
      } catch (err) {
        if (isUniqueViolation(err)) throw new Errors.UserExists(parsed.data.userId);
        throw err;
      }
      return { user: parsed.data, key };
    },
    async rotate(id) {
      const key = generateApiKey();
      if (!(await store.setUserKeyHash(id, hashApiKey(key)))) throw new Errors.UserNotFound(id);
      return { key };
    },
    async setDisabled(id, disabled) {
      if (!(await store.setUserDisabled(id, disabled))) throw new Errors.UserNotFound(id);
    },
    async list() {
      return (await store.listUsers()).map(publicView);
    },
    async principalByKeyHash(keyHash) {
      const u = await store.userByKeyHash(keyHash);
      if (!u || u.disabled) return null;
      return { userId: u.userId, role: u.role, staffId: u.staffId, merchantId: u.merchantId };
    },
    async ensureAdmin(key, now) {
      const hash = hashApiKey(key);
      const admin = (await store.listUsers()).find((u) => u.userId === 'admin');
      if (!admin) await store.addUser({ userId: 'admin', role: 'admin', staffId: null, merchantId: null, keyHash: hash, disabled: false, createdAt: now });
      else if (admin.keyHash !== hash || admin.disabled) {
        await store.setUserKeyHash('admin', hash);
        await store.setUserDisabled('admin', false);
      }
    },
  };
}
