import { channelSchema, parseDeviceTopic, type SiteModel } from '@atrium/shared';

/**
 * The receiving side of a reconciliation, as the edge does it: validate each publish against
 * its channel schema, drop repeats of (device, channel, seq, ts), and total what is left.
 */
export function createReceiver(site: SiteModel) {
  const devices = new Map(site.devices.map((d) => [d.id, d]));
  const seen = new Set<string>();
  const subjects: Record<string, { in: number; out: number }> = {};
  const events: Record<string, number> = {};
  const statuses: { deviceId: string; state: string; retain: boolean }[] = [];
  let received = 0;
  let rejected = 0;
  let duplicates = 0;
  return {
    subjects,
    events,
    statuses,
    get received() {
      return received;
    },
    get rejected() {
      return rejected;
    },
    get duplicates() {
      return duplicates;
    },
    take(topic: string, payload: Buffer, retain: boolean) {
      received++;
      const t = parseDeviceTopic(topic);
      const device = t ? devices.get(t.deviceId) : undefined;
      const schema = t && device ? channelSchema(device.kind, t.channel) : undefined;
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        rejected++;
        return;
      }
      const parsed = schema?.safeParse(json);
      if (!t || !device || !parsed?.success) {
        rejected++;
        return;
      }
      const v = parsed.data as Record<string, unknown>;
      if (t.channel === 'status') {
        statuses.push({ deviceId: device.id, state: String(v.state), retain });
        return;
      }
      const key = `${device.id}/${t.channel}/${String(v.seq)}@${String(v.ts)}`;
      if (seen.has(key)) {
        duplicates++;
        return;
      }
      seen.add(key);
      if (t.channel === 'count') {
        const s = device.subject ?? { kind: 'zone', id: device.zoneId };
        const tot = (subjects[`${s.kind}:${s.id}`] ??= { in: 0, out: 0 });
        tot.in += Number(v.in);
        tot.out += Number(v.out);
      }
      if (t.channel === 'event') events[`${device.kind}:${String(v.event)}`] = (events[`${device.kind}:${String(v.event)}`] ?? 0) + 1;
    },
  };
}
