import { describe, expect, it } from 'vitest';
import { derivePassword, gatewayPrincipal } from '@atrium/shared';
import { parseEdgeConfig } from '../src/config.ts';

const base = { ATRIUM_GATEWAY_SECRET: 'g'.repeat(24), ATRIUM_PRIVACY_KEY: 'p'.repeat(24) };

describe('edge configuration', () => {
  it('gives the variables domain names, with the defaults of the README', () => {
    const config = parseEdgeConfig({ ...base, ATRIUM_MAX_PAYLOAD_BYTES: '2048', ATRIUM_CLOUD_MQTT_URL: 'mqtts://cloud.example:8883' });
    expect(config).toMatchObject({
      gatewayId: 'gw-1',
      dataDir: '.data/edge',
      edge: {
        host: '127.0.0.1', mqttPort: 1883, httpPort: 8081, tls: undefined, maxPayloadBytes: 2048, publishRate: 50, publishBurst: 500,
        login: { timeoutMs: 10_000, maxPending: 1024, maxPendingPerAddress: 256 },
        plausibility: { clockSkewMs: 300_000, maxAgeMs: 0, maxCrossingsPerMinute: 600, maxPeoplePerM2: 4 },
      },
      uplink: { url: 'mqtts://cloud.example:8883', password: derivePassword(base.ATRIUM_GATEWAY_SECRET, gatewayPrincipal('gw-1')), credential: 'derived' },
      outbox: { durability: 'full', maxBytes: 1024 ** 3, alarmPercent: 80, stopDrainMs: 5000 },
      aggregate: { latenessMs: 5000, idleMs: 10_000 },
      health: { lowBatteryPercent: 15, offlineAlarmMs: 60_000 },
      red: { enabled: false },
    });
  });

  it('is frozen all the way down', () => {
    const config = parseEdgeConfig(base);
    expect(Object.isFrozen(config.edge)).toBe(true);
    expect(Object.isFrozen(config.red.admin)).toBe(true);
  });

  it('takes the TLS listener with all three of its variables or none, naming the missing ones', () => {
    const tls = { ATRIUM_EDGE_MQTTS_PORT: '8883', ATRIUM_TLS_CERT_FILE: '/etc/atrium/edge.crt', ATRIUM_TLS_KEY_FILE: '/etc/atrium/edge.key' };
    expect(parseEdgeConfig({ ...base, ...tls }).edge.tls).toEqual({ port: 8883, certFile: '/etc/atrium/edge.crt', keyFile: '/etc/atrium/edge.key' });
    expect(() => parseEdgeConfig({ ...base, ATRIUM_EDGE_MQTTS_PORT: '8883' })).toThrow(/ATRIUM_TLS_CERT_FILE: is required.*ATRIUM_TLS_KEY_FILE: is required/);
  });

  it("takes the gateway's own password; the shared secret it derived from only without one (deprecated); one of them is required", () => {
    const own = { ATRIUM_GATEWAY_PASSWORD: 'atg_' + 'x'.repeat(43), ATRIUM_PRIVACY_KEY: base.ATRIUM_PRIVACY_KEY };
    expect(parseEdgeConfig(own).uplink).toMatchObject({ password: own.ATRIUM_GATEWAY_PASSWORD, credential: 'own' });
    expect(parseEdgeConfig({ ...base, ...own }).uplink).toMatchObject({ password: own.ATRIUM_GATEWAY_PASSWORD, credential: 'own' });
    expect(() => parseEdgeConfig({ ATRIUM_PRIVACY_KEY: base.ATRIUM_PRIVACY_KEY, ATRIUM_GATEWAY_PASSWORD: '' })).toThrow(/ATRIUM_GATEWAY_PASSWORD: is required/);
    expect(() => parseEdgeConfig({ ...own, ATRIUM_GATEWAY_PASSWORD: 'short' })).toThrow(/ATRIUM_GATEWAY_PASSWORD/);
  });
});
