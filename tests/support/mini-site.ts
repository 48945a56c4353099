import { SiteModel } from '@atrium/shared';

/** A two-zone site small enough to reason about by hand in tests. */
export const miniSite: SiteModel = SiteModel.parse({
  id: 'mini',
  name: 'Mini Mall',
  timezone: 'Australia/Melbourne',
  openingHours: { open: '09:00', close: '21:00' },
  floors: [{ id: 'g', name: 'Ground', level: 0 }],
  zones: [
    { id: 'hall', floorId: 'g', name: 'Hall', kind: 'concourse', areaM2: 200, rect: { x: 0, y: 0, w: 20, h: 10 } },
    { id: 'wc', floorId: 'g', name: 'Restroom', kind: 'restroom', areaM2: 40, rect: { x: 20, y: 0, w: 8, h: 5 } },
  ],
  entrances: [{ id: 'main', zoneId: 'hall', name: 'Main entrance' }],
  restrooms: [{ id: 'wc-1', zoneId: 'wc', fixtures: 6 }],
  merchants: [{ id: 'm-1', name: 'Coffee Co' }],
  shops: [{ id: 'coffee', zoneId: 'hall', merchantId: 'm-1', name: 'Coffee', category: 'food', areaM2: 60 }],
  lockerBanks: [{ id: 'lk-1', zoneId: 'hall', compartments: 24 }],
  gates: [{ id: 'staff-door', zoneId: 'hall', name: 'Staff door', kind: 'door' }],
  devices: [
    { id: 'radar-hall-1', kind: 'radar', zoneId: 'hall', subject: { kind: 'zone', id: 'hall' }, reportIntervalS: 30 },
    { id: 'radar-hall-2', kind: 'radar', zoneId: 'hall', subject: { kind: 'zone', id: 'hall' }, reportIntervalS: 30 },
    { id: 'radar-wc', kind: 'radar', zoneId: 'wc', subject: { kind: 'zone', id: 'wc' }, reportIntervalS: 30 },
    { id: 'radar-main', kind: 'radar', zoneId: 'hall', subject: { kind: 'entrance', id: 'main' }, reportIntervalS: 30 },
    { id: 'radar-coffee', kind: 'radar', zoneId: 'hall', subject: { kind: 'shop', id: 'coffee' }, reportIntervalS: 30 },
    { id: 'env-hall', kind: 'env', zoneId: 'hall', reportIntervalS: 60 },
    { id: 'env-wc', kind: 'env', zoneId: 'wc', reportIntervalS: 60 },
    { id: 'locker-1', kind: 'locker', zoneId: 'hall', lockerBankId: 'lk-1', reportIntervalS: 300 },
    { id: 'gate-staff', kind: 'gate', zoneId: 'hall', gateId: 'staff-door', reportIntervalS: 300 },
  ],
});
