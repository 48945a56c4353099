import { ENVIRONMENT_METRICS, type EnvironmentReport, type MetricReading, type RulesSnapshot, type SiteModel, type ThresholdRef, type ZoneLive } from '@atrium/shared';
import { selectZones, type SiteFacts } from '../rules/subjects.ts';

/**
 * Each zone's latest readings next to the thresholds the rules file sets for them: the same
 * rules, selectors and raised state the engine uses, so "over" on the page is the condition
 * an alarm waits `forS` to confirm, and "alarm" is one the engine raised.
 */
export function environmentReport(p: { site: SiteModel; facts: SiteFacts; rules: RulesSnapshot; zones: readonly ZoneLive[]; floorId?: string | undefined; now: number; timeZone: string }): EnvironmentReport {
  const live = new Map(p.zones.map((z) => [z.zoneId, z]));
  const thresholdRules = p.rules.ruleSet.rules.flatMap((r) => (r.enabled && r.kind === 'threshold' ? [{ rule: r, zones: new Set(selectZones(r.subjects, p.facts)) }] : []));
  const zones = p.site.zones
    .filter((z) => p.floorId === undefined || z.floorId === p.floorId)
    .map((z) => {
      const l = live.get(z.id);
      const readings = ENVIRONMENT_METRICS.map((metric): MetricReading => {
        const value = l?.env[metric] ?? null;
        const applying = thresholdRules.filter((t) => t.rule.metric === metric && t.zones.has(z.id));
        const thresholds = applying.map(({ rule }): ThresholdRef => ({ ruleId: rule.id, above: rule.raise.above ?? null, below: rule.raise.below ?? null, forS: rule.raise.forS, severity: rule.alarm?.severity ?? null }));
        const raised = applying.some(({ rule }) => p.rules.subjects[rule.id]?.[`zone:${z.id}`]?.active === true);
        const beyond = value !== null && thresholds.some((t) => (t.above !== null && value > t.above) || (t.below !== null && value < t.below));
        const state = raised ? 'alarm' : value === null || thresholds.length === 0 ? 'none' : beyond ? 'over' : 'ok';
        return { metric, value, thresholds, state };
      });
      return { zoneId: z.id, name: z.name, floorId: z.floorId, updatedAt: l?.updatedAt ?? null, readings };
    });
  return { asOf: p.now, timeZone: p.timeZone, metrics: [...ENVIRONMENT_METRICS], zones };
}
