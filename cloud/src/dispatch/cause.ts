import type { Alarm, OrderCause, Rule, RuleSet, WorkOrder } from '@atrium/shared';
import { typeWords } from './wording.ts';

/**
 * What raised a job, for the person sent to it: the alarm in words, the reading that crossed
 * the line and the rule's own description ("CO₂ 1,240 ppm, above 1,000"), not a rule id and a
 * bare number. Rules are the running rules file; an alarm whose rule has since gone keeps its
 * type and says nothing more.
 */

const METRICS: Record<string, { name: string; unit: string }> = {
  tempC: { name: 'Temperature', unit: '°C' },
  rh: { name: 'Humidity', unit: '%' },
  co2: { name: 'CO₂', unit: 'ppm' },
  pm25: { name: 'PM2.5', unit: 'µg/m³' },
  tvoc: { name: 'TVOC', unit: 'ppb' },
  noiseDb: { name: 'Noise', unit: 'dB' },
  nh3: { name: 'Ammonia (odour)', unit: 'ppm' },
};

const num = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

function reading(rule: Rule | undefined, value: number | null): string | null {
  if (!rule || value === null) return null;
  switch (rule.kind) {
    case 'threshold': {
      const m = METRICS[rule.metric] ?? { name: rule.metric, unit: '' };
      const line = rule.raise.above !== undefined ? `above ${num.format(rule.raise.above)}` : rule.raise.below !== undefined ? `below ${num.format(rule.raise.below)}` : '';
      return `${m.name} ${num.format(value)} ${m.unit}${line ? `, ${line}` : ''}`.replace(/ ,/, ',');
    }
    case 'density':
      return `${num.format(value)} people per m², above ${num.format(rule.raise.above)}`;
    case 'counter':
      return `${num.format(value)} visits since the last cleaning (limit ${num.format(rule.raiseAt)})`;
    default:
      return null;
  }
}

function ruleWords(rule: Rule | undefined, alarm: Alarm): string {
  if (rule?.description) return rule.description;
  if (rule?.kind === 'event') return `Reported by the device: ${rule.events.map(typeWords).join(', ').toLowerCase()}`;
  if (rule?.kind === 'silence') return 'A device stopped reporting';
  if (rule?.kind === 'gateway_silence') return 'A gateway stopped reporting';
  return typeWords(alarm.type);
}

export function describeCause(order: WorkOrder, alarms: readonly Alarm[], rules: RuleSet | null): OrderCause {
  const byId = new Map(rules?.rules.map((r) => [r.id, r]));
  return {
    orderId: order.id,
    alarms: alarms.map((a) => {
      const rule = byId.get(a.ruleId);
      return { id: a.id, what: typeWords(a.type), severity: a.severity, raisedAt: a.raisedAt, reading: reading(rule, a.value), rule: ruleWords(rule, a) };
    }),
  };
}
