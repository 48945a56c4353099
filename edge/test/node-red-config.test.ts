import { describe, expect, it } from 'vitest';
import { parseEdgeConfig } from '../src/config.ts';

const base = { ATRIUM_GATEWAY_SECRET: 'g'.repeat(24), ATRIUM_PRIVACY_KEY: 'p'.repeat(24), ATRIUM_EDGE_DATA_DIR: '/var/lib/atrium-edge' };
const red = { ...base, ATRIUM_RED_ENABLED: 'true', ATRIUM_RED_CREDENTIAL_SECRET: 'c'.repeat(24) };
const HASH = '$2b$10$' + 'a'.repeat(53);

describe('Node-RED settings in the edge configuration', () => {
  it('needs nothing while Node-RED is off (the default)', () => {
    expect(parseEdgeConfig(base).red.enabled).toBe(false);
  });

  it('takes a plain password or a bcrypt hash, not both and not neither', () => {
    expect(parseEdgeConfig({ ...red, ATRIUM_RED_ADMIN_PASSWORD: 'twelve chars!' }).red.admin.user).toBe('admin');
    expect(parseEdgeConfig({ ...red, ATRIUM_RED_ADMIN_PASSWORD_HASH: HASH }).red.admin.passwordHash).toBe(HASH);
    expect(() => parseEdgeConfig(red)).toThrow(/ATRIUM_RED_ADMIN_PASSWORD: with ATRIUM_RED_ENABLED=true set exactly one/);
    expect(() => parseEdgeConfig({ ...red, ATRIUM_RED_ADMIN_PASSWORD: 'twelve chars!', ATRIUM_RED_ADMIN_PASSWORD_HASH: HASH })).toThrow(/exactly one/);
    expect(() => parseEdgeConfig({ ...red, ATRIUM_RED_ADMIN_PASSWORD_HASH: 'secret' })).toThrow(/ATRIUM_RED_ADMIN_PASSWORD_HASH: must be a bcrypt hash/);
    expect(() => parseEdgeConfig({ ...red, ATRIUM_RED_ADMIN_PASSWORD: 'short' })).toThrow(/ATRIUM_RED_ADMIN_PASSWORD: must be at least 12 characters/);
  });

  it('requires a credential secret and a data directory on disk once enabled', () => {
    const { ATRIUM_RED_CREDENTIAL_SECRET: _, ...noSecret } = red;
    expect(() => parseEdgeConfig({ ...noSecret, ATRIUM_RED_ADMIN_PASSWORD: 'twelve chars!' })).toThrow(/ATRIUM_RED_CREDENTIAL_SECRET: is required/);
    expect(() => parseEdgeConfig({ ...red, ATRIUM_RED_ADMIN_PASSWORD: 'twelve chars!', ATRIUM_EDGE_DATA_DIR: ':memory:' })).toThrow(/ATRIUM_EDGE_DATA_DIR: must be a directory/);
  });
});
