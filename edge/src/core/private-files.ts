import { chmodSync, existsSync, mkdirSync } from 'node:fs';

/**
 * The data directory holds device credential hashes, the journal and Node-RED's flow credentials:
 * only the gateway's own user may read it. The mode is set explicitly, so a permissive umask
 * (or a directory made earlier by hand) does not leave it open.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** An SQLite database and its WAL/SHM companions, when they exist, to 0600. */
export function makeSqlitePrivate(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}
