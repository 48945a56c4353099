import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EdgeError } from '../core/errors.ts';
import { ensurePrivateDir } from '../core/private-files.ts';
import { hashPassword, newPassword, verifyPassword } from './password-hash.ts';

/**
 * Per-device MQTT credentials, hashed (password-hash.ts), in their own SQLite file in the
 * edge data directory rather than a table in the journal: the provisioning CLI writes it
 * while the gateway runs, and keeping it apart keeps those writes (and their locks) off the
 * journal's group-commit path; it is also the one file an operator backs up, restricts
 * (mode 0600) or restores on its own, while the journal is disposable once delivered.
 */
export interface DeviceCredentialRecord {
  deviceId: string;
  disabled: boolean;
  /** bumps on every rotation, so a session opened with an older password can be ended */
  generation: number;
  createdAt: number;
  updatedAt: number;
}

export type VerifyResult =
  | { outcome: 'ok'; generation: number }
  | { outcome: 'not_provisioned' }
  | { outcome: 'disabled' }
  | { outcome: 'wrong_password' };

export interface DeviceCredentials {
  /** Provisions a device; returns its password, the only time it can be read. `password` is for provisioning stations that mint their own. */
  add(deviceId: string, opts?: { password?: string; now?: number }): Promise<string>;
  /** Issues a new password; the old one stops working at once. */
  rotate(deviceId: string, now?: number): Promise<string>;
  disable(deviceId: string, now?: number): void;
  enable(deviceId: string, now?: number): void;
  get(deviceId: string): DeviceCredentialRecord | undefined;
  list(): DeviceCredentialRecord[];
  /** A disabled device is refused before its password is even checked. */
  verify(deviceId: string, password: Buffer | string | undefined): Promise<VerifyResult>;
  /** Changes whenever the credentials change, through this handle or another process (the CLI). */
  revision(): string;
  close(): void;
}

interface Row {
  device_id: string;
  hash: string;
  generation: number;
  disabled: number;
  created_at: number;
  updated_at: number;
}

const toRecord = (r: Row): DeviceCredentialRecord => ({ deviceId: r.device_id, disabled: r.disabled === 1, generation: r.generation, createdAt: r.created_at, updatedAt: r.updated_at });

export const credentialsPath = (dataDir: string): string => (dataDir === ':memory:' ? ':memory:' : `${dataDir}/devices.sqlite`);

export function openDeviceCredentials(path: string): DeviceCredentials {
  if (path !== ':memory:') ensurePrivateDir(dirname(path));
  const db = new Database(path);
  if (path !== ':memory:') chmodSync(path, 0o600); // SQLite gives its -wal and -shm files the same mode
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000'); // the CLI and the gateway share the file
  db.exec(`create table if not exists device_credentials (
    device_id text primary key, hash text not null, generation integer not null, disabled integer not null default 0,
    created_at integer not null, updated_at integer not null
  ) strict`);
  const select = db.prepare('select * from device_credentials where device_id = ?');
  const selectAll = db.prepare('select * from device_credentials order by device_id');
  const insert = db.prepare('insert into device_credentials (device_id, hash, generation, disabled, created_at, updated_at) values (?, ?, 1, 0, ?, ?)');
  const updateHash = db.prepare('update device_credentials set hash = ?, generation = generation + 1, updated_at = ? where device_id = ?');
  const setDisabled = db.prepare('update device_credentials set disabled = ?, updated_at = ? where device_id = ?');
  let localWrites = 0;

  const notProvisioned = (deviceId: string) => new EdgeError('ATRIUM_EDGE_DEVICE_NOT_PROVISIONED', `device "${deviceId}" has no credentials here (add it first)`);
  const changed = (changes: number, deviceId: string) => {
    if (changes === 0) throw notProvisioned(deviceId);
    localWrites++;
  };

  return {
    async add(deviceId, opts = {}) {
      if (select.get(deviceId)) throw new EdgeError('ATRIUM_EDGE_DEVICE_EXISTS', `device "${deviceId}" is provisioned already (rotate issues a new password)`);
      const password = opts.password ?? newPassword();
      const hash = await hashPassword(password);
      const now = opts.now ?? Date.now();
      try {
        insert.run(deviceId, hash, now, now);
      } catch (err) {
        // another add of the same device won the race while this one was hashing
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new EdgeError('ATRIUM_EDGE_DEVICE_EXISTS', `device "${deviceId}" is provisioned already`);
        throw err;
      }
      localWrites++;
      return password;
    },
    async rotate(deviceId, now = Date.now()) {
      if (!select.get(deviceId)) throw notProvisioned(deviceId);
      const password = newPassword();
      changed(updateHash.run(await hashPassword(password), now, deviceId).changes, deviceId);
      return password;
    },
    disable(deviceId, now = Date.now()) {
      changed(setDisabled.run(1, now, deviceId).changes, deviceId);
    },
    enable(deviceId, now = Date.now()) {
      changed(setDisabled.run(0, now, deviceId).changes, deviceId);
    },
    get(deviceId) {
      const row = select.get(deviceId) as Row | undefined;
      return row && toRecord(row);
    },
    list() {
      return (selectAll.all() as Row[]).map(toRecord);
    },
    async verify(deviceId, password) {
      const row = select.get(deviceId) as Row | undefined;
      if (!row) return { outcome: 'not_provisioned' };
      if (row.disabled === 1) return { outcome: 'disabled' };
      if (password === undefined || !(await verifyPassword(password, row.hash))) return { outcome: 'wrong_password' };
      return { outcome: 'ok', generation: row.generation };
    },
    revision() {
      // data_version moves on other connections' commits only; our own writes are counted here
      return `${db.pragma('data_version', { simple: true }) as number}:${localWrites}`;
    },
    close() {
      db.close();
    },
  };
}
