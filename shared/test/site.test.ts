import { describe, expect, it } from 'vitest';
import { SiteModel, describeIssues, derivePassword, passwordMatches, parseDeviceTopic, gatewayPrincipal } from '../src/index.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

describe('site model', () => {
  it('names the entry that points at a zone that does not exist', () => {
    const broken = structuredClone(miniSite);
    broken.devices[2]!.zoneId = 'nowhere';
    const result = SiteModel.safeParse(broken);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)).toContain('devices.2.zoneId: unknown zone "nowhere"');
  });

  it('refuses a radar that does not say what it counts, and duplicate ids', () => {
    const broken = structuredClone(miniSite);
    delete broken.devices[0]!.subject;
    broken.zones.push({ ...broken.zones[0]! });
    const result = SiteModel.safeParse(broken);
    expect(result.success).toBe(false);
    if (!result.success) {
      const text = describeIssues(result.error);
      expect(text).toContain('devices.0.subject: a radar must say what it counts');
      expect(text).toContain('zones.2.id: duplicate id "hall"');
    }
  });
});

describe('topics and credentials', () => {
  it('parses only exact device topics', () => {
    expect(parseDeviceTopic('atrium/mini/radar-1/count')).toEqual({ siteId: 'mini', deviceId: 'radar-1', channel: 'count' });
    expect(parseDeviceTopic('atrium/mini/radar-1/count/extra')).toBeNull();
    expect(parseDeviceTopic('atrium/mini/+/count')).toBeNull();
    expect(parseDeviceTopic('other/mini/radar-1/count')).toBeNull();
  });

  it('gives every device and gateway its own password from one secret', () => {
    const secret = 'a-long-enough-test-secret';
    expect(passwordMatches(secret, 'radar-1', derivePassword(secret, 'radar-1'))).toBe(true);
    expect(passwordMatches(secret, 'radar-2', derivePassword(secret, 'radar-1'))).toBe(false);
    expect(passwordMatches(secret, gatewayPrincipal('radar-1'), derivePassword(secret, 'radar-1'))).toBe(false);
    expect(passwordMatches(secret, 'radar-1', undefined)).toBe(false);
  });
});
