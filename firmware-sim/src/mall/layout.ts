import type { Floor, SiteModel } from '@atrium/shared';

/**
 * The demo mall's floor plans. Each floor is cut into vertical strips and each strip into
 * cells, so the zones tile the floor exactly by construction (the floor map has no gaps or
 * overlaps). Dimensions are in metres: a 240 x 100 m box per floor, about a 70,000 m2 centre.
 */
export const FLOOR_W = 240;
export const FLOOR_H = 100;

type ZoneKind = SiteModel['zones'][number]['kind'];
/** [id suffix, name, kind, height in metres] */
type Cell = readonly [string, string, ZoneKind, number];
interface Strip {
  w: number;
  cells: readonly Cell[];
}
interface FloorPlan {
  floor: Floor;
  strips: readonly Strip[];
}

export const FLOOR_PLANS: readonly FloorPlan[] = [
  {
    floor: { id: 'lg', name: 'Lower Ground', level: -1 },
    strips: [
      { w: 50, cells: [['carpark-w', 'Car Park West', 'carpark', 100]] },
      {
        w: 20,
        cells: [
          ['cp-entry-w', 'Car Park Entry West', 'entrance', 45],
          ['lockers-w', 'Parcel Lockers West', 'lockers', 25],
          ['restroom-w', 'Restrooms LG West', 'restroom', 15],
          ['service-w', 'LG West Service Corridor', 'service', 15],
        ],
      },
      {
        w: 60,
        cells: [
          ['fresh-food', 'Fresh Food Market', 'concourse', 55],
          ['mall-s', 'LG South Mall', 'concourse', 45],
        ],
      },
      {
        w: 30,
        cells: [
          ['station-link', 'Station Link', 'entrance', 30],
          ['market-square', 'Market Square', 'atrium', 45],
          ['service-c', 'LG Central Service Corridor', 'service', 25],
        ],
      },
      {
        w: 40,
        cells: [
          ['mall-e', 'LG East Mall', 'concourse', 60],
          ['loading-dock', 'Loading Dock', 'service', 40],
        ],
      },
      {
        w: 15,
        cells: [
          ['restroom-e', 'Restrooms LG East', 'restroom', 15],
          ['cp-entry-e', 'Car Park Entry East', 'entrance', 45],
          ['lockers-e', 'Parcel Lockers East', 'lockers', 20],
          ['plant', 'LG Plant Room Corridor', 'service', 20],
        ],
      },
      { w: 25, cells: [['carpark-e', 'Car Park East', 'carpark', 100]] },
    ],
  },
  {
    floor: { id: 'g', name: 'Ground', level: 0 },
    strips: [
      {
        w: 20,
        cells: [
          ['service-w', 'Ground West Service Corridor', 'service', 45],
          ['entry-w', 'West Entrance Lobby', 'entrance', 40],
          ['restroom-w', 'Restrooms Ground West', 'restroom', 15],
        ],
      },
      {
        w: 85,
        cells: [
          ['mall-nw', 'North Mall West', 'concourse', 50],
          ['mall-sw', 'South Mall West', 'concourse', 50],
        ],
      },
      {
        w: 40,
        cells: [
          ['entry-n', 'North Entrance Lobby', 'entrance', 20],
          ['atrium', 'Central Atrium', 'atrium', 60],
          ['entry-s', 'South Entrance Lobby', 'entrance', 20],
        ],
      },
      {
        w: 75,
        cells: [
          ['mall-ne', 'North Mall East', 'concourse', 50],
          ['mall-se', 'South Mall East', 'concourse', 50],
        ],
      },
      {
        w: 20,
        cells: [
          ['restroom-e', 'Restrooms Ground East', 'restroom', 15],
          ['entry-e', 'East Entrance Lobby', 'entrance', 40],
          ['service-e', 'Ground East Service Corridor', 'service', 45],
        ],
      },
    ],
  },
  {
    floor: { id: 'l1', name: 'Level 1', level: 1 },
    strips: [
      {
        w: 20,
        cells: [
          ['service-w', 'Level 1 West Service Corridor', 'service', 50],
          ['restroom-w', 'Restrooms Level 1 West', 'restroom', 15],
          ['skybridge', 'Skybridge Lobby', 'entrance', 35],
        ],
      },
      {
        w: 85,
        cells: [
          ['mall-nw', 'Level 1 North Mall West', 'concourse', 50],
          ['mall-sw', 'Level 1 South Mall West', 'concourse', 50],
        ],
      },
      {
        w: 40,
        cells: [
          ['gallery', 'Atrium Gallery', 'atrium', 85],
          ['lockers-c', 'Click & Collect Lockers', 'lockers', 7],
          ['restroom-c', 'Restrooms Level 1 Central', 'restroom', 8],
        ],
      },
      {
        w: 75,
        cells: [
          ['foodcourt', 'Food Court', 'foodcourt', 65],
          ['dining-terrace', 'Dining Terrace', 'concourse', 35],
        ],
      },
      {
        w: 20,
        cells: [
          ['restroom-e', 'Food Court Restrooms', 'restroom', 15],
          ['service-e', 'Level 1 Back-of-house Corridor', 'service', 85],
        ],
      },
    ],
  },
];

export const zoneId = (floorId: string, suffix: string): string => `${floorId}-${suffix}`;

/** Zones of every floor with their rectangles, in plan order (west to east, north to south). */
export function layoutZones(): SiteModel['zones'] {
  const zones: SiteModel['zones'] = [];
  for (const { floor, strips } of FLOOR_PLANS) {
    let x = 0;
    for (const strip of strips) {
      let y = 0;
      for (const [suffix, name, kind, h] of strip.cells) {
        zones.push({ id: zoneId(floor.id, suffix), floorId: floor.id, name, kind, areaM2: strip.w * h, rect: { x, y, w: strip.w, h } });
        y += h;
      }
      if (y !== FLOOR_H) throw new Error(`floor ${floor.id}: strip at x=${x} is ${y} m deep, not ${FLOOR_H}`);
      x += strip.w;
    }
    if (x !== FLOOR_W) throw new Error(`floor ${floor.id} is ${x} m wide, not ${FLOOR_W}`);
  }
  return zones;
}
