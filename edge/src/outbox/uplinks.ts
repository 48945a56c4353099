import { randomUUID } from 'node:crypto';
import type { AlarmRecord, DeviceEventRecord, DeviceStatusRecord, EnvMinute, FootfallMinute, RefusalReport, Uplink } from '@atrium/shared';
import type { NewUplink } from './journal.ts';

/** Most records one uplink carries; keeps a single MQTT packet well under broker limits. */
const MAX_RECORDS_PER_UPLINK = 2000;
type UplinkBody = Uplink extends infer U ? (U extends Uplink ? Omit<U, 'v' | 'id' | 'siteId' | 'gatewayId' | 'sentAt'> : never) : never;

export interface UplinkBuilder {
  minutes(footfall: FootfallMinute[], env: EnvMinute[]): NewUplink[];
  events(records: DeviceEventRecord[]): NewUplink[];
  statuses(records: DeviceStatusRecord[]): NewUplink[];
  alarms(records: AlarmRecord[]): NewUplink[];
  /** a refusal report in status uplinks; the gateway's own sum rides in the first */
  refusals(report: RefusalReport): NewUplink[];
}

/** Outbox rows in the uplink envelope, each with its own id so the cloud stores it once however often it is sent. */
export function createUplinkBuilder(ids: { siteId: string; gatewayId: string }): UplinkBuilder {
  const envelope = (body: UplinkBody, records: number): NewUplink => ({
    kind: body.kind,
    records,
    body: JSON.stringify({ v: 1, id: randomUUID(), siteId: ids.siteId, gatewayId: ids.gatewayId, sentAt: Date.now(), ...body }),
  });
  const batches = <R>(records: R[], wrap: (batch: R[]) => UplinkBody): NewUplink[] => {
    const out: NewUplink[] = [];
    for (let i = 0; i < records.length; i += MAX_RECORDS_PER_UPLINK) {
      const batch = records.slice(i, i + MAX_RECORDS_PER_UPLINK);
      out.push(envelope(wrap(batch), batch.length));
    }
    return out;
  };
  return {
    minutes(footfall, env) {
      const out: NewUplink[] = [];
      for (let i = 0; i < Math.max(footfall.length, env.length); i += MAX_RECORDS_PER_UPLINK) {
        const f = footfall.slice(i, i + MAX_RECORDS_PER_UPLINK);
        const e = env.slice(i, i + MAX_RECORDS_PER_UPLINK);
        out.push(envelope({ kind: 'minute', footfall: f, env: e }, f.length + e.length));
      }
      return out;
    },
    events: (records) => batches(records, (events) => ({ kind: 'events', events })),
    statuses: (records) => batches(records, (devices) => ({ kind: 'status', devices })),
    alarms: (records) => batches(records, (alarms) => ({ kind: 'status', devices: [], alarms })),
    refusals(report) {
      const { gateway, ...rest } = report;
      if (report.devices.length === 0) return [envelope({ kind: 'status', devices: [], rejected: report }, 1)];
      return batches(report.devices, (devices) => ({ kind: 'status', devices: [], rejected: { ...rest, devices, ...(gateway && devices[0] === report.devices[0] && { gateway }) } }));
    },
  };
}
