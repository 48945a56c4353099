import { expect } from 'vitest';
import type { StaffRole, UserInput, WorkOrder } from '@atrium/shared';
import { eventually } from '../../../tests/support/device.ts';
import { sendGatewayEvent } from '../../../tests/support/gateway.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';

/** What a test client gets back: the status, the headers and the JSON body (an empty object for none). */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}
export type ApiCall = (key: string | null, method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

/** A plain fetch client for a cloud under test; `base` is read at call time (the port is known after start). */
export function apiClient(base: () => string): ApiCall {
  return async (key, method, path, body) => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
}

/**
 * Puts people on the roster (on shift from an hour ago for a day, in `zoneId`) and makes their
 * users through the API as the admin would; returns each user's key.
 */
export async function seedPeople(call: ApiCall, adminKey: string, p: { staff: ReadonlyArray<readonly [string, readonly StaffRole[]]>; users: readonly UserInput[]; zoneId: string }): Promise<Record<string, string>> {
  const shifts = [{ from: Date.now() - 3600_000, to: Date.now() + 86_400_000 }];
  for (const [id, roles] of p.staff) {
    expect((await call(adminKey, 'PUT', `/api/v1/staff/${id}`, { name: id, roles, shifts, zoneId: p.zoneId, available: true })).status).toBe(200);
  }
  const keys: Record<string, string> = {};
  for (const u of p.users) {
    const r = await call(adminKey, 'POST', '/api/v1/users', u);
    expect(r.status).toBe(201);
    keys[u.userId] = r.body.key as string;
  }
  return keys;
}

/**
 * The mini mall's staff door forced open, through the gateway, and the security order it raises
 * once the engine has assigned it to the guard on shift: a real order to act on.
 */
export async function forcedDoorOrder(call: ApiCall, adminKey: string, link: { mqttUrl: string; gatewaySecret: string }): Promise<WorkOrder> {
  await sendGatewayEvent({ ...link, siteId: miniSite.id, event: { deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open' } });
  return eventually(async () => {
    const [o] = (await call(adminKey, 'GET', '/api/v1/work-orders?type=security_breach')).body as unknown as WorkOrder[];
    return o?.status === 'assigned' ? o : undefined;
  }, 15_000, 'the security order');
}
