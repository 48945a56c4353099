import type { Logger } from 'pino';
import { z } from 'zod';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DeviceId, Slug, ZoneId, describeIssues, type SiteIndex } from '@atrium/shared';
import { failed, type Outcome } from '../core/errors.ts';

export const ALARM_SEVERITIES = ['info', 'warning', 'critical'] as const;

/** An alarm a local flow raises (or clears) on the gateway itself: no cloud needed to see it. */
export const LocalAlarm = z.strictObject({
  alarm: Slug,
  severity: z.enum(ALARM_SEVERITIES).default('warning'),
  zoneId: ZoneId.optional(),
  deviceId: DeviceId.optional(),
  message: z.string().max(500).default(''),
  /** false clears an alarm raised earlier for the same alarm, zone and device. */
  active: z.boolean().default(true),
});
export type LocalAlarm = z.output<typeof LocalAlarm>;
export type LocalAlarmInput = z.input<typeof LocalAlarm>;

export interface LocalAlarms {
  raise(input: LocalAlarmInput): Outcome;
  active(): LocalAlarm[];
}

/**
 * Local alarms are a log line, a counter and a 0/1 gauge per alarm and zone, so Prometheus on
 * the gateway's network alerts on them with the cloud away. The uplink has no alarm record
 * kind yet; when it does, forwarding belongs here.
 */
export function createLocalAlarms(deps: { site: SiteIndex; logger: Logger; registry: Registry }): LocalAlarms {
  const r = [deps.registry];
  const raised = new Counter({ name: 'atrium_edge_local_alarms_raised_total', help: 'Local alarms raised by flows, by alarm and severity', labelNames: ['alarm', 'severity'] as const, registers: r });
  const gauge = new Gauge({ name: 'atrium_edge_local_alarm_active', help: '1 while a local alarm is raised, by alarm and zone', labelNames: ['alarm', 'zone'] as const, registers: r });
  const open = new Map<string, LocalAlarm>();
  return {
    raise(input) {
      const parsed = LocalAlarm.safeParse(input);
      if (!parsed.success) return failed('ATRIUM_RED_INVALID_ALARM', describeIssues(parsed.error));
      const alarm = parsed.data;
      if (alarm.zoneId !== undefined && !deps.site.zone.has(alarm.zoneId)) return failed('ATRIUM_RED_UNKNOWN_ZONE', `zoneId: no zone "${alarm.zoneId}" on site ${deps.site.site.id}`);
      if (alarm.deviceId !== undefined && !deps.site.device.has(alarm.deviceId)) return failed('ATRIUM_RED_UNKNOWN_DEVICE', `deviceId: no device "${alarm.deviceId}" on site ${deps.site.site.id}`);
      const key = `${alarm.alarm}|${alarm.zoneId ?? ''}|${alarm.deviceId ?? ''}`;
      const wasOpen = open.has(key);
      // Only transitions are logged and counted: a flow re-raising on every reading is not news.
      if (alarm.active && !wasOpen) {
        open.set(key, alarm);
        raised.inc({ alarm: alarm.alarm, severity: alarm.severity });
        const fields = { alarm: alarm.alarm, severity: alarm.severity, zoneId: alarm.zoneId, deviceId: alarm.deviceId, detail: alarm.message };
        if (alarm.severity === 'critical') deps.logger.error(fields, 'local alarm raised');
        else if (alarm.severity === 'warning') deps.logger.warn(fields, 'local alarm raised');
        else deps.logger.info(fields, 'local alarm raised');
      } else if (!alarm.active && wasOpen) {
        open.delete(key);
        deps.logger.info({ alarm: alarm.alarm, zoneId: alarm.zoneId, deviceId: alarm.deviceId, detail: alarm.message }, 'local alarm cleared');
      }
      const zoneOpen = [...open.values()].some((a) => a.alarm === alarm.alarm && a.zoneId === alarm.zoneId);
      gauge.set({ alarm: alarm.alarm, zone: alarm.zoneId ?? '' }, zoneOpen ? 1 : 0);
      return { ok: true };
    },
    active: () => [...open.values()],
  };
}
