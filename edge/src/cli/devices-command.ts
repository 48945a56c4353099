import { indexSite, type DeviceConnection, type SiteModel } from '@atrium/shared';
import type { DeviceCredentials } from '../devices/credentials.ts';
import { EdgeError } from '../core/errors.ts';
import { connectionSettings, provisionFleet, type Endpoints } from '../devices/provision.ts';

export const COMMANDS = ['add', 'list', 'disable', 'enable', 'rotate', 'export'] as const;
export type Command = (typeof COMMANDS)[number];

export interface DevicesRequest {
  command: Command;
  deviceIds: string[];
  /** add: every device of the site that has no credentials yet */
  site: boolean;
  /** add --site: mint passwords from this key instead of at random (a fleet flashed at the factory) */
  factoryKey?: string;
}

export interface DeviceListing {
  deviceId: string;
  kind: string;
  state: 'active' | 'disabled' | 'not_provisioned';
  rotations: number;
  createdAt: number | null;
  updatedAt: number | null;
}

export type DevicesResult =
  | { command: 'add' | 'rotate' | 'export'; devices: DeviceConnection[] }
  | { command: 'disable' | 'enable'; devices: { deviceId: string; disabled: boolean }[] }
  | { command: 'list'; devices: DeviceListing[] };

/** The provisioning CLI's work, apart from argv and printing. */
export async function runDevicesCommand(req: DevicesRequest, deps: { site: SiteModel; store: DeviceCredentials; endpoints: Endpoints }): Promise<DevicesResult> {
  const site = indexSite(deps.site);
  const { store } = deps;
  const deviceOf = (id: string) => {
    const d = site.device.get(id);
    if (!d) throw new EdgeError('ATRIUM_EDGE_UNKNOWN_DEVICE', `deviceId: no device "${id}" in site ${site.site.id} (see ATRIUM_SITE_FILE)`);
    return d;
  };
  if (req.site && req.command !== 'add') throw new EdgeError('ATRIUM_EDGE_INVALID_ARGUMENT', '--site: only with add');
  if (req.site && req.deviceIds.length > 0) throw new EdgeError('ATRIUM_EDGE_INVALID_ARGUMENT', '--site: adds every device of the site; give no device ids with it');
  if (req.factoryKey !== undefined && !req.site) throw new EdgeError('ATRIUM_EDGE_INVALID_ARGUMENT', '--factory-key-env: only with add --site');
  if (req.command !== 'list' && !req.site && req.deviceIds.length === 0) throw new EdgeError('ATRIUM_EDGE_INVALID_ARGUMENT', `deviceId: ${req.command} needs at least one device id`);
  // Every id is checked before anything changes, so a typo in a list provisions nothing.
  const devices = req.deviceIds.map(deviceOf);
  const settings = (id: string, password?: string) => connectionSettings(site, deviceOf(id), deps.endpoints, { disabled: store.get(id)?.disabled ?? false, ...(password !== undefined && { password }) });
  const mustExist = () => {
    const missing = devices.filter((d) => !store.get(d.id)).map((d) => d.id);
    if (missing.length > 0) throw new EdgeError('ATRIUM_EDGE_DEVICE_NOT_PROVISIONED', `deviceId: ${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} no credentials here (add first)`);
  };

  switch (req.command) {
    case 'add': {
      if (req.site) {
        const todo = site.site.devices.filter((d) => !store.get(d.id));
        if (req.factoryKey !== undefined) {
          await provisionFleet(store, todo, req.factoryKey);
          return { command: 'add', devices: todo.map((d) => settings(d.id)) };
        }
        return { command: 'add', devices: await Promise.all(todo.map(async (d) => settings(d.id, await store.add(d.id)))) };
      }
      const existing = devices.filter((d) => store.get(d.id)).map((d) => d.id);
      if (existing.length > 0) throw new EdgeError('ATRIUM_EDGE_DEVICE_EXISTS', `deviceId: ${existing.join(', ')} ${existing.length === 1 ? 'is' : 'are'} provisioned already (rotate issues a new password)`);
      return { command: 'add', devices: await Promise.all(devices.map(async (d) => settings(d.id, await store.add(d.id)))) };
    }
    case 'rotate':
      mustExist();
      return { command: 'rotate', devices: await Promise.all(devices.map(async (d) => settings(d.id, await store.rotate(d.id)))) };
    case 'disable':
    case 'enable':
      mustExist();
      for (const d of devices) (req.command === 'disable' ? store.disable : store.enable)(d.id);
      return { command: req.command, devices: devices.map((d) => ({ deviceId: d.id, disabled: req.command === 'disable' })) };
    case 'export':
      mustExist();
      return { command: 'export', devices: devices.map((d) => settings(d.id)) };
    case 'list': {
      const wanted = devices.length > 0 ? devices : site.site.devices;
      return {
        command: 'list',
        devices: wanted.map((d) => {
          const r = store.get(d.id);
          return { deviceId: d.id, kind: d.kind, state: !r ? 'not_provisioned' : r.disabled ? 'disabled' : 'active', rotations: r ? r.generation - 1 : 0, createdAt: r?.createdAt ?? null, updatedAt: r?.updatedAt ?? null };
        }),
      };
    }
  }
}
