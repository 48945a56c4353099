import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '@atrium/shared';
import { withDeviceCopies } from '../src/mall/scale.ts';

describe('a mall with more devices', () => {
  const demo = loadSiteFile();

  it('has ten times the devices, each twin where its original is, and the same zones', () => {
    const big = withDeviceCopies(demo, 10);
    expect(big.devices).toHaveLength(demo.devices.length * 10);
    expect(new Set(big.devices.map((d) => d.id)).size).toBe(big.devices.length);
    const twin = big.devices.find((d) => d.id === `${demo.devices[0]!.id}_x7`);
    expect({ ...twin, id: demo.devices[0]!.id }).toEqual(demo.devices[0]);
    expect(big.zones).toEqual(demo.zones);
  });

  it('refuses a count that is not a whole number of copies', () => {
    expect(() => withDeviceCopies(demo, 0)).toThrow(/copies/);
    expect(() => withDeviceCopies(demo, 1.5)).toThrow(/copies/);
  });
});
