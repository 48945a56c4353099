import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayCredential } from '@atrium/shared';
import { parseRow } from '../db/parse-row.ts';
import { isUniqueViolation, type SqlClient } from '../db/sql-client.ts';
import { Errors } from '../errors.ts';

/**
 * Each edge gateway's own password for the uplink listener, kept only as a hash in the
 * database (gateway_credentials). A password is 32 random bytes: like an API key, a fast hash
 * protects it as well as a slow one would, and a CONNECT storm costs no scrypt per attempt.
 * Read at every CONNECT, so a credential added, rotated or disabled on a PostgreSQL server
 * counts at once, for every replica.
 */
export interface GatewayCredentials {
  /** Provisions a gateway; returns its password, the only time it can be read. `password`: one the operator chose (at least 24 characters). */
  add(gatewayId: string, opts?: { password?: string; now?: number }): Promise<string>;
  /** A new password; the old one stops working (the uplink listener ends a session opened with it). */
  rotate(gatewayId: string, now?: number): Promise<string>;
  setDisabled(gatewayId: string, disabled: boolean, now?: number): Promise<void>;
  get(gatewayId: string): Promise<GatewayCredential | undefined>;
  list(): Promise<GatewayCredential[]>;
  /** A disabled gateway is refused whatever it sends. */
  verify(gatewayId: string, password: Buffer | string | undefined): Promise<GatewayVerdict>;
}

export type GatewayVerdict = { outcome: 'ok'; generation: number } | { outcome: 'not_provisioned' } | { outcome: 'disabled' } | { outcome: 'wrong_password' };

export const GATEWAY_PASSWORD_PREFIX = 'atg_';
export const MIN_CHOSEN_PASSWORD = 24;
export const newGatewayPassword = (): string => GATEWAY_PASSWORD_PREFIX + randomBytes(32).toString('base64url');

interface Row {
  site_id: string;
  gateway_id: string;
  password_hash: string;
  generation: number;
  disabled: boolean;
  created_at: string | number;
  updated_at: string | number;
}

const toRecord = (r: Row): GatewayCredential =>
  parseRow(GatewayCredential, 'gateway_credentials', r.gateway_id, {
    siteId: r.site_id,
    gatewayId: r.gateway_id,
    disabled: r.disabled,
    generation: Number(r.generation),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });

/** SHA-256, hex, as API keys are kept; of the bytes the gateway sent, whatever they are. */
const hashOf = (password: Buffer | string): string => createHash('sha256').update(password).digest('hex');
const sameHash = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createGatewayCredentials(sql: SqlClient, siteId: string): GatewayCredentials {
  const row = async (gatewayId: string) =>
    (await sql.query<Row>('select * from gateway_credentials where site_id = $1 and gateway_id = $2', [siteId, gatewayId])).rows[0];
  const changed = (count: number | undefined, gatewayId: string) => {
    if (!count) throw new Errors.GatewayNotProvisioned(gatewayId);
  };
  return {
    async add(gatewayId, opts = {}) {
      if (opts.password !== undefined && opts.password.length < MIN_CHOSEN_PASSWORD) throw new Errors.InvalidRequest(`password: must be at least ${MIN_CHOSEN_PASSWORD} characters (or let it be made at random)`);
      const password = opts.password ?? newGatewayPassword();
      const now = opts.now ?? Date.now();
      try {
        await sql.query('insert into gateway_credentials (site_id, gateway_id, password_hash, generation, disabled, created_at, updated_at) values ($1, $2, $3, 1, false, $4, $4)', [siteId, gatewayId, hashOf(password), now]);
      } catch (err) {
        if (isUniqueViolation(err)) throw new Errors.GatewayExists(gatewayId);
        throw err;
      }
      return password;
    },
    async rotate(gatewayId, now = Date.now()) {
      const password = newGatewayPassword();
      const r = await sql.query<{ gateway_id: string }>(
        'update gateway_credentials set password_hash = $3, generation = generation + 1, updated_at = $4 where site_id = $1 and gateway_id = $2 returning gateway_id',
        [siteId, gatewayId, hashOf(password), now],
      );
      changed(r.rows.length, gatewayId);
      return password;
    },
    async setDisabled(gatewayId, disabled, now = Date.now()) {
      const r = await sql.query<{ gateway_id: string }>('update gateway_credentials set disabled = $3, updated_at = $4 where site_id = $1 and gateway_id = $2 returning gateway_id', [siteId, gatewayId, disabled, now]);
      changed(r.rows.length, gatewayId);
    },
    async get(gatewayId) {
      const r = await row(gatewayId);
      return r && toRecord(r);
    },
    async list() {
      return (await sql.query<Row>('select * from gateway_credentials where site_id = $1 order by gateway_id', [siteId])).rows.map(toRecord);
    },
    async verify(gatewayId, password) {
      const r = await row(gatewayId);
      if (!r) return { outcome: 'not_provisioned' };
      if (r.disabled) return { outcome: 'disabled' };
      if (password === undefined || !sameHash(hashOf(password), r.password_hash)) return { outcome: 'wrong_password' };
      return { outcome: 'ok', generation: Number(r.generation) };
    },
  };
}

/**
 * For an installer that keeps a gateway's password itself (`npm start` keeps the demo
 * gateway's in its data directory): adds the gateway with that password when it has no
 * credential; when it has one this password no longer opens (an operator rotated or disabled
 * it), says so rather than overriding the operator.
 */
export async function ensureGatewayCredential(store: GatewayCredentials, gatewayId: string, password: string, now = Date.now()): Promise<'added' | 'ready' | 'disabled' | 'rotated'> {
  const verdict = await store.verify(gatewayId, password);
  switch (verdict.outcome) {
    case 'ok':
      return 'ready';
    case 'disabled':
      return 'disabled';
    case 'wrong_password':
      return 'rotated';
    case 'not_provisioned':
      await store.add(gatewayId, { password, now });
      return 'added';
  }
}
