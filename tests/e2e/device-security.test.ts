import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, eventually, publish, topicOf } from '../support/device.ts';

const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);

describe('the edge holds each device to its own topics and budget', () => {
  let stack: Stack;
  const rejected = async (reason: string) =>
    (await stack.edge.metrics.registry.getSingleMetric('atrium_edge_messages_rejected_total')?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0;

  beforeAll(async () => {
    stack = await startStack({
      site: miniSite, logger: pino({ level: 'silent' }), edge: { lateness: 0, idle: 200, flushEvery: 50 },
      edgeEnv: { ATRIUM_MAX_PUBLISH_RATE: '5', ATRIUM_MAX_PUBLISH_BURST: '10' },
    });
  });
  afterAll(async () => stack?.stop());

  it('lets a device subscribe to its own commands only', async () => {
    const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'env-hall');
    // mqtt.js reports a refused subscription (SUBACK 128) as an error carrying the packet.
    const grants = (topic: string) =>
      new Promise<number>((resolve, reject) =>
        device.subscribe(topic, { qos: 1 }, (err, granted) => {
          if (err && 'packet' in err) return resolve((err.packet as { granted: number[] }).granted[0] ?? -1);
          return err ? reject(err) : resolve(granted?.[0]?.qos ?? -1);
        }),
      );
    expect(await grants('atrium/mini/env-hall/cmd/#')).toBe(1);
    expect(await grants('atrium/mini/env-wc/cmd/#')).toBe(128);
    expect(await grants('atrium/#')).toBe(128);
    expect(await grants('$SYS/#')).toBe(128);
    expect(await rejected('subscribe_not_allowed')).toBe(3);
    device.end(true);
  });

  it('refuses reserved and over-deep topics with a counted reason', async () => {
    const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'env-wc');
    await publish(device, '$SYS/broker/uptime', '1');
    expect(await rejected('topic_not_allowed')).toBe(1);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish('atrium/mini/env-wc/a/b/c/d/e/f/g', '{}', { qos: 1 });
    await closed; // aedes drops a client that sends a topic past its depth limit
    await eventually(async () => ((await rejected('protocol_violation')) === 1 ? true : undefined), 5000, 'depth refusal counted');
    device.end(true);
  });

  it('throttles a flooding device without affecting the others', async () => {
    const flooder = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-2');
    const neighbour = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-wc');
    await Promise.all(Array.from({ length: 40 }, (_, i) => publish(flooder, topicOf('mini', 'radar-hall-2', 'count'), { ts: T0 + i * 1000, seq: i, periodS: 1, in: 1, out: 0 })));
    await publish(neighbour, topicOf('mini', 'radar-wc', 'count'), { ts: T0, seq: 1, periodS: 30, in: 3, out: 0 });
    const limited = await rejected('rate_limited');
    expect(limited).toBeGreaterThanOrEqual(25); // 40 sent at once against a burst of 10
    const totals = await eventually(async () => {
      const t = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
      const hall = t.find((x) => x.subjectId === 'hall');
      return t.find((x) => x.subjectId === 'wc') && hall?.in === 40 - limited ? t : undefined;
    }, 10_000, 'accepted readings stored');
    expect(totals).toEqual([{ subjectId: 'hall', in: 40 - limited, out: 0 }, { subjectId: 'wc', in: 3, out: 0 }]);
    flooder.end(true);
    neighbour.end(true);
  });
});
