import { describe, expect, it } from 'vitest';
import { DeviceConnection } from '@atrium/shared';
import { runDevicesCommand, type DevicesRequest } from '../src/cli/devices-command.ts';
import { openDeviceCredentials } from '../src/devices/credentials.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

const endpoints = { mqttUrl: 'mqtt://gw.example:1883', mqttsUrl: 'mqtts://gw.example:8883' };
const request = (r: Partial<DevicesRequest> & Pick<DevicesRequest, 'command'>): DevicesRequest => ({ deviceIds: [], site: false, ...r });

describe('provisioning commands', () => {
  it('add issues a working password per device, shown with its connection settings', async () => {
    const store = openDeviceCredentials(':memory:');
    const result = await runDevicesCommand(request({ command: 'add', deviceIds: ['radar-wc', 'gate-staff'] }), { site: miniSite, store, endpoints });
    const [wc, gate] = result.devices.map((d) => DeviceConnection.parse(d));
    expect(wc).toMatchObject({ deviceId: 'radar-wc', clientId: 'radar-wc', username: 'radar-wc', ...endpoints, publish: ['atrium/mini/radar-wc/count', 'atrium/mini/radar-wc/status'], subscribe: ['atrium/mini/radar-wc/cmd/#'] });
    expect(gate?.publish).toEqual(['atrium/mini/gate-staff/event', 'atrium/mini/gate-staff/status']);
    expect(await store.verify('radar-wc', wc!.password)).toMatchObject({ outcome: 'ok' });
    expect(await store.verify('gate-staff', gate!.password)).toMatchObject({ outcome: 'ok' });
    store.close();
  });

  it('a list with one bad id changes nothing, and names the id', async () => {
    const store = openDeviceCredentials(':memory:');
    await expect(runDevicesCommand(request({ command: 'add', deviceIds: ['radar-wc', 'radar-typo'] }), { site: miniSite, store, endpoints })).rejects.toMatchObject({ code: 'ATRIUM_EDGE_UNKNOWN_DEVICE', message: expect.stringContaining('radar-typo') });
    expect(store.list()).toEqual([]);
    await runDevicesCommand(request({ command: 'add', deviceIds: ['radar-wc'] }), { site: miniSite, store, endpoints });
    await expect(runDevicesCommand(request({ command: 'add', deviceIds: ['env-wc', 'radar-wc'] }), { site: miniSite, store, endpoints })).rejects.toMatchObject({ code: 'ATRIUM_EDGE_DEVICE_EXISTS' });
    expect(store.get('env-wc')).toBeUndefined();
    await expect(runDevicesCommand(request({ command: 'rotate', deviceIds: ['env-wc'] }), { site: miniSite, store, endpoints })).rejects.toMatchObject({ code: 'ATRIUM_EDGE_DEVICE_NOT_PROVISIONED' });
    store.close();
  });

  it('add --site provisions only the devices without credentials; export never shows a password', async () => {
    const store = openDeviceCredentials(':memory:');
    await runDevicesCommand(request({ command: 'add', deviceIds: ['radar-wc'] }), { site: miniSite, store, endpoints });
    const added = await runDevicesCommand(request({ command: 'add', site: true }), { site: miniSite, store, endpoints });
    expect(added.devices.map((d) => ('deviceId' in d ? d.deviceId : ''))).toHaveLength(miniSite.devices.length - 1);
    expect(added.devices.every((d) => 'password' in d && typeof d.password === 'string')).toBe(true);
    const exported = await runDevicesCommand(request({ command: 'export', deviceIds: ['env-hall'] }), { site: miniSite, store, endpoints });
    expect(DeviceConnection.parse(exported.devices[0]).password).toBeUndefined();
    const listed = await runDevicesCommand(request({ command: 'list' }), { site: miniSite, store, endpoints });
    expect(listed.devices.every((d) => 'state' in d && d.state === 'active')).toBe(true);
    store.close();
  });
});
