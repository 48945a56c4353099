import { describe, expect, it } from 'vitest';
import { indexSite } from '@atrium/shared';
import { checkPublish, pseudonymise } from '../src/readings/intake.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

const opts = { site: indexSite(miniSite), maxPayloadBytes: 512 };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const T = Date.UTC(2026, 0, 10, 10, 0, 0);

describe('intake', () => {
  it('accepts a valid radar count on the device own topic', () => {
    const r = checkPublish(opts, 'radar-hall-1', 'atrium/mini/radar-hall-1/count', json({ ts: T, seq: 1, periodS: 30, in: 1, out: 0 }));
    expect(r.ok && r.reading.channel).toBe('count');
  });

  it.each([
    ['another device topic', 'radar-hall-1', 'atrium/mini/radar-wc/count', json({}), 'topic_not_allowed'],
    ['another site', 'radar-hall-1', 'atrium/other/radar-hall-1/count', json({}), 'topic_not_allowed'],
    ['a channel the family lacks', 'radar-hall-1', 'atrium/mini/radar-hall-1/event', json({}), 'unknown_channel'],
    ['an oversized payload', 'radar-hall-1', 'atrium/mini/radar-hall-1/count', Buffer.alloc(513, 32), 'payload_too_large'],
    ['garbage', 'radar-hall-1', 'atrium/mini/radar-hall-1/count', Buffer.from('\u0000\u0001'), 'invalid_json'],
    ['a negative count', 'radar-hall-1', 'atrium/mini/radar-hall-1/count', json({ ts: T, seq: 1, periodS: 30, in: -1, out: 0 }), 'invalid_payload'],
  ])('refuses %s with its reason', (_what, device, topic, payload, code) => {
    const r = checkPublish(opts, device, topic, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.rejection.code).toBe(code);
  });

  it('names the field and reason of an invalid payload', () => {
    const r = checkPublish(opts, 'env-wc', 'atrium/mini/env-wc/env', json({ ts: T, seq: 1, tempC: 22, rh: 140, co2: 500, pm25: 1, tvoc: 1, noiseDb: 40 }));
    expect(!r.ok && r.rejection.detail).toMatch(/^rh: .*100/);
  });

  it('pseudonymises badge codes with a keyed hash that depends on the key', () => {
    const a = pseudonymise('key-one-key-one-key-one', 'STAFF-0042');
    expect(a).not.toContain('0042');
    expect(a).toBe(pseudonymise('key-one-key-one-key-one', 'STAFF-0042'));
    expect(a).not.toBe(pseudonymise('key-two-key-two-key-two', 'STAFF-0042'));
  });
});
