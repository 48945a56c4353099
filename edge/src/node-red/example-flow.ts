import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ATRIUM_IN, ATRIUM_OUT } from './nodes.ts';

export const CO2_HIGH_PPM = 1200;
export const CO2_LOW_PPM = 1000;

/**
 * Zone-level hysteresis: ventilation goes on when any fresh sensor in the zone reaches the
 * high mark and off only when all are below the low mark, so a zone hovering at the
 * threshold does not toggle the fans every minute. Readings older than 10 minutes are
 * dropped so a sensor that died on a high value cannot hold the fans on.
 */
const DECIDE = `const high = Number(env.get('CO2_HIGH_PPM'));
const low = Number(env.get('CO2_LOW_PPM'));
const zones = flow.get('zones') || {};
const zone = zones[msg.zoneId] || { sensors: {}, on: false };
const now = Date.now();
zone.sensors[msg.deviceId] = { co2: msg.payload.co2, at: now };
for (const [id, s] of Object.entries(zone.sensors)) if (now - s.at > 600000) delete zone.sensors[id];
const co2 = Math.max(...Object.values(zone.sensors).map((s) => s.co2));
const on = zone.on ? co2 >= low : co2 >= high;
zones[msg.zoneId] = zone;
const changed = on !== zone.on;
zone.on = on;
flow.set('zones', zones);
if (!changed) return null;
node.status({ fill: on ? 'red' : 'green', shape: 'dot', text: msg.zoneId + ': ' + co2 + ' ppm, ventilation ' + (on ? 'on' : 'off') });
return [
  { zoneId: msg.zoneId, deviceKind: 'env', payload: { on: on, co2: co2, ts: now } },
  { zoneId: msg.zoneId, alarm: 'co2-high', severity: 'warning', clear: !on, payload: 'CO2 ' + co2 + ' ppm in zone ' + msg.zoneId },
];`;

const TAB = 'atrium-example-co2';

/**
 * The flow a new gateway starts with: CO2 high in a zone → `cmd/ventilation` to that zone's
 * env sensors (the site model has no separate ventilation actuator; the sensor whose relay
 * drives the zone's air handler acts on it) and a local `co2-high` alarm. It uses only
 * the edge, so it keeps working while the cloud is unreachable.
 */
export function exampleFlow(): Record<string, unknown>[] {
  return [
    {
      id: TAB,
      type: 'tab',
      label: 'Example: CO2 → ventilation',
      disabled: false,
      info: `Shipped with Atrium. When CO2 in a zone reaches CO2_HIGH_PPM, every env sensor in that zone gets \`atrium/{site}/{device}/cmd/ventilation\` with \`{"on":true,"co2":…,"ts":…}\`, and a local \`co2-high\` alarm is raised; below CO2_LOW_PPM they get \`{"on":false,…}\` and the alarm clears. Thresholds are this flow's environment variables.`,
      env: [
        { name: 'CO2_HIGH_PPM', value: String(CO2_HIGH_PPM), type: 'num' },
        { name: 'CO2_LOW_PPM', value: String(CO2_LOW_PPM), type: 'num' },
      ],
    },
    { id: `${TAB}-in`, type: ATRIUM_IN, z: TAB, name: 'env readings', kind: 'env', zone: '', channel: 'env', device: '', x: 140, y: 100, wires: [[`${TAB}-decide`]] },
    { id: `${TAB}-decide`, type: 'function', z: TAB, name: 'zone CO2 high?', func: DECIDE, outputs: 2, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x: 360, y: 100, wires: [[`${TAB}-vent`], [`${TAB}-alarm`]] },
    { id: `${TAB}-vent`, type: ATRIUM_OUT, z: TAB, name: 'zone ventilation', action: 'command', command: 'ventilation', device: '', zone: '', kind: 'env', alarm: '', severity: '', x: 600, y: 80, wires: [] },
    { id: `${TAB}-alarm`, type: ATRIUM_OUT, z: TAB, name: 'co2-high alarm', action: 'alarm', command: '', device: '', zone: '', kind: '', alarm: 'co2-high', severity: 'warning', x: 600, y: 140, wires: [] },
  ];
}

/**
 * Writes the example flow only when there is no flows file yet (a new gateway): whatever
 * the user deployed since, even an empty workspace, is never overwritten.
 */
export async function seedExampleFlow(userDir: string, flowFile: string): Promise<boolean> {
  const path = join(userDir, flowFile);
  if (existsSync(path)) return false;
  await mkdir(userDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(exampleFlow(), null, 4)}\n`, { flag: 'wx' });
  await rename(tmp, path);
  return true;
}
