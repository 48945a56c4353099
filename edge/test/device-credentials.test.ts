import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDeviceCredentials } from '../src/devices/credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrium-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('device credential store', () => {
  it('keeps only a salted hash: the password opens the device, nothing readable gives it back', async () => {
    const path = join(dir, 'hash.sqlite');
    const store = openDeviceCredentials(path);
    const a = await store.add('radar-1');
    const b = await store.add('radar-2');
    expect(a).not.toBe(b);
    expect(await store.verify('radar-1', a)).toEqual({ outcome: 'ok', generation: 1 });
    expect(await store.verify('radar-1', b)).toEqual({ outcome: 'wrong_password' });
    expect(await store.verify('radar-1', undefined)).toEqual({ outcome: 'wrong_password' });
    expect(await store.verify('radar-3', a)).toEqual({ outcome: 'not_provisioned' });
    store.close();
    const onDisk = readFileSync(path).toString('latin1');
    expect(onDisk).not.toContain(a);
    expect(onDisk).toContain('scrypt$');
    expect(statSync(path).mode & 0o077).toBe(0); // not readable by other users
  });

  it('rotating issues a new password and the old one stops working', async () => {
    const store = openDeviceCredentials(':memory:');
    const old = await store.add('env-1');
    const fresh = await store.rotate('env-1');
    expect(await store.verify('env-1', old)).toEqual({ outcome: 'wrong_password' });
    expect(await store.verify('env-1', fresh)).toEqual({ outcome: 'ok', generation: 2 });
    store.close();
  });

  it('a disabled device is refused even with its right password, until enabled', async () => {
    const store = openDeviceCredentials(':memory:');
    const pw = await store.add('gate-1');
    store.disable('gate-1');
    expect(await store.verify('gate-1', pw)).toEqual({ outcome: 'disabled' });
    expect(store.get('gate-1')?.disabled).toBe(true);
    store.enable('gate-1');
    expect(await store.verify('gate-1', pw)).toEqual({ outcome: 'ok', generation: 1 });
    store.close();
  });

  it('refuses to add twice or change a device it does not know, with stable codes', async () => {
    const store = openDeviceCredentials(':memory:');
    await store.add('lk-1');
    await expect(store.add('lk-1')).rejects.toMatchObject({ code: 'ATRIUM_EDGE_DEVICE_EXISTS' });
    await expect(store.rotate('lk-9')).rejects.toMatchObject({ code: 'ATRIUM_EDGE_DEVICE_NOT_PROVISIONED' });
    expect(() => store.disable('lk-9')).toThrow(expect.objectContaining({ code: 'ATRIUM_EDGE_DEVICE_NOT_PROVISIONED' }));
    store.close();
  });

  it('a change made through another handle (the CLI, while the gateway runs) is seen as a new revision', async () => {
    const path = join(dir, 'shared.sqlite');
    const gateway = openDeviceCredentials(path);
    const cli = openDeviceCredentials(path);
    await gateway.add('radar-9');
    const before = gateway.revision();
    expect(gateway.revision()).toBe(before); // unchanged when nothing happened
    cli.disable('radar-9');
    expect(gateway.revision()).not.toBe(before);
    expect(gateway.get('radar-9')?.disabled).toBe(true);
    gateway.close();
    cli.close();
  });
});
