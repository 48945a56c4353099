import { SiteModel } from '@atrium/shared';
import { installDevices } from './devices.ts';
import { FLOOR_PLANS, layoutZones } from './layout.ts';
import { letShops } from './shops.ts';

export const DEMO_SITE_ID = 'demo-mall';

/** [entrance id, zone id, name]: street doors on Ground, car park and station links below, a skybridge above. */
const ENTRANCES = [
  ['lg-carpark-west', 'lg-cp-entry-w', 'Car Park West Entry'],
  ['lg-station', 'lg-station-link', 'Station Link'],
  ['lg-carpark-east', 'lg-cp-entry-e', 'Car Park East Entry'],
  ['g-west', 'g-entry-w', 'West Entrance (Bourke Rd)'],
  ['g-north', 'g-entry-n', 'North Entrance (Market St)'],
  ['g-south', 'g-entry-s', 'South Entrance (Collins Pde)'],
  ['g-east', 'g-entry-e', 'East Entrance (Bus Interchange)'],
  ['l1-skybridge', 'l1-skybridge', 'Skybridge from Multi-deck Car Park'],
] as const;

/** [bank id, zone id, compartments] */
const LOCKER_BANKS = [
  ['lg-lockers-w-a', 'lg-lockers-w', 60],
  ['lg-lockers-w-b', 'lg-lockers-w', 48],
  ['lg-lockers-e-a', 'lg-lockers-e', 36],
  ['l1-lockers-c-a', 'l1-lockers-c', 72],
] as const;

/** [gate id, zone id, name, kind]: staff doors into back-of-house, pedestrian turnstiles out of the car park. */
const GATES = [
  ['lg-dock-door', 'lg-loading-dock', 'Loading Dock Staff Door', 'door'],
  ['lg-central-door', 'lg-service-c', 'LG Central Staff Door', 'door'],
  ['g-west-door', 'g-service-w', 'Ground West Staff Door', 'door'],
  ['g-east-door', 'g-service-e', 'Ground East Staff Door', 'door'],
  ['l1-west-door', 'l1-service-w', 'Level 1 West Staff Door', 'door'],
  ['l1-east-door', 'l1-service-e', 'Level 1 Back-of-house Door', 'door'],
  ['lg-cpw-turnstile-1', 'lg-carpark-w', 'Car Park West Turnstile 1', 'turnstile'],
  ['lg-cpw-turnstile-2', 'lg-carpark-w', 'Car Park West Turnstile 2', 'turnstile'],
  ['lg-cpe-turnstile-1', 'lg-carpark-e', 'Car Park East Turnstile 1', 'turnstile'],
  ['lg-cpe-turnstile-2', 'lg-carpark-e', 'Car Park East Turnstile 2', 'turnstile'],
] as const;

/** About 20 fixtures per 300 m2 amenities block (cubicles, urinals, accessible and parents' rooms). */
const FIXTURES_PER_M2 = 1 / 20;

/** The demo site every default run uses. Deterministic: same output on every call. */
export function buildDemoMall(): SiteModel {
  const zones = layoutZones();
  const { merchants, shops } = letShops(zones);
  const entrances = ENTRANCES.map(([id, zoneId, name]) => ({ id, zoneId, name }));
  const restrooms = zones.filter((z) => z.kind === 'restroom').map((z) => ({ id: z.id, zoneId: z.id, fixtures: Math.max(4, Math.round(z.areaM2 * FIXTURES_PER_M2)) }));
  const lockerBanks = LOCKER_BANKS.map(([id, zoneId, compartments]) => ({ id, zoneId, compartments }));
  const gates = GATES.map(([id, zoneId, name, kind]) => ({ id, zoneId, name, kind }));
  return SiteModel.parse({
    id: DEMO_SITE_ID,
    name: 'Atrium Demo Mall',
    timezone: 'Australia/Melbourne',
    openingHours: { open: '10:00', close: '21:00' },
    floors: FLOOR_PLANS.map((p) => p.floor),
    zones,
    entrances,
    restrooms,
    merchants,
    shops,
    lockerBanks,
    gates,
    // One edge gateway for the whole mall, in the plant room (its id is the edge's default ATRIUM_GATEWAY_ID).
    gateways: [{ id: 'gw-1', zoneId: 'lg-plant', name: 'Edge gateway (plant room)' }],
    devices: installDevices({ zones, entrances, shops, lockerBanks, gates }),
  });
}

/** The file form: pretty, stable, newline-terminated, so a regenerated file diffs cleanly. */
export const serialiseSite = (site: SiteModel): string => `${JSON.stringify(site, null, 2)}\n`;
