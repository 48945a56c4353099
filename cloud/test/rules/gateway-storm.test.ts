import { describe, expect, it } from 'vitest';
import type { Alarm, Observation, WorkOrder } from '@atrium/shared';
import { at, defaultRules, demo, engine, Harness, person } from '../dispatch/fixtures.ts';

/**
 * One fault is one alarm: the demo mall's 285 devices all reach the cloud through gateway
 * gw-1, with the shipped rules (device silence after 3 minutes, gateway silence after 5,
 * device_offline orders grouped per zone). Each simulated minute the gateway delivers and
 * every device it can see is heard; the engine ticks every minute as the runtime does.
 */
const GW = 'gw-1';
const devices = demo.devices.map((d) => d.id);

function mall() {
  const h = new Harness(engine(defaultRules(), [person('tech-1', ['technician'], 'lg-plant'), person('tech-2', ['technician'], 'g-service-e'), person('sup-1', ['supervisor'], null)]));
  /** One minute: the gateway delivers (unless down) the devices still talking, then time passes. */
  const minute = (m: number, opts: { gatewayDown?: boolean; quiet?: readonly string[] } = {}) => {
    if (!opts.gatewayDown) {
      const obs: Observation[] = [{ kind: 'gateway_seen', gatewayId: GW, at: at(m) }];
      for (const id of devices) if (!opts.quiet?.includes(id)) obs.push({ kind: 'seen', deviceId: id, at: at(m), gatewayId: GW });
      h.do({ kind: 'observe_batch', observations: obs }, at(m));
    }
    h.tick(at(m) + 30_000);
  };
  const raised = (): Alarm[] => h.effects.flatMap((e) => (e.kind === 'alarm' && e.change === 'raised' ? [e.alarm] : []));
  const created = (): WorkOrder[] => h.effects.flatMap((e) => (e.kind === 'work_order' && e.change === 'created' ? [e.order] : []));
  return { h, minute, raised, created };
}

describe('a gateway that goes quiet', () => {
  it('raises one gateway_offline alarm and one order at its cabinet, none per device, and clears when it is back', () => {
    const { h, minute, raised, created } = mall();
    for (let m = 0; m < 10; m++) minute(m);
    expect(raised()).toEqual([]);
    for (let m = 10; m < 30; m++) minute(m, { gatewayDown: true });
    expect(raised().map((a) => `${a.type} ${a.subject.kind}:${a.subject.id}`)).toEqual([`gateway_offline gateway:${GW}`]);
    expect(created().map((o) => [o.type, o.zoneId, o.role])).toEqual([['gateway_offline', 'lg-plant', 'technician']]);
    // Back: its backlog arrives over the next minutes while devices trickle in; none of them looks silent.
    for (let m = 30; m < 45; m++) minute(m, { quiet: m < 33 ? devices.slice(0, 200) : [] });
    expect(raised().map((a) => a.type)).toEqual(['gateway_offline']);
    const cleared = h.effects.filter((e) => e.kind === 'alarm' && e.change === 'cleared').map((e) => (e.kind === 'alarm' ? e.alarm.type : ''));
    expect(cleared).toEqual(['gateway_offline']);
  });

  it('raises nothing when it stalls for less than the gateway alarm’s minimum duration', () => {
    const { minute, raised, created } = mall();
    for (let m = 0; m < 10; m++) minute(m);
    // Four minutes without uplinks: longer than the devices' 3-minute silence, shorter than the gateway's 5.
    for (let m = 10; m < 14; m++) minute(m, { gatewayDown: true });
    for (let m = 14; m < 30; m++) minute(m);
    expect(raised()).toEqual([]);
    expect(created()).toEqual([]);
  });

  it('still lets a device that goes quiet behind a healthy gateway raise its own alarm', () => {
    const { minute, raised } = mall();
    const dead = devices[0]!;
    for (let m = 0; m < 10; m++) minute(m);
    for (let m = 10; m < 20; m++) minute(m, { quiet: [dead] });
    expect(raised().map((a) => `${a.type} ${a.subject.id}`)).toEqual([`device_offline ${dead}`]);
  });

  it('groups devices going quiet in one zone into one work order that counts its alarms', () => {
    const { h, minute, raised, created } = mall();
    const zone = demo.devices[0]!.zoneId;
    const sameZone = demo.devices.filter((d) => d.zoneId === zone).map((d) => d.id).slice(0, 3);
    expect(sameZone.length).toBe(3);
    for (let m = 0; m < 10; m++) minute(m);
    for (let m = 10; m < 20; m++) minute(m, { quiet: sameZone });
    expect(raised().map((a) => a.subject.id).sort()).toEqual([...sameZone].sort());
    expect(created()).toHaveLength(1);
    expect(h.order(created()[0]!.id).alarmIds).toHaveLength(3);
  });
});
