import type { z } from 'zod';
import { RuleSet, type Rule, type RuleFileIssue } from '@atrium/shared';
import { locateJsonPath } from './json-locate.ts';
import { selectDevices, selectGateways, selectZones, type SiteFacts } from './subjects.ts';

export type RuleSetResult = { ok: true; ruleSet: RuleSet } | { ok: false; issues: RuleFileIssue[] };

const pathText = (path: readonly PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : '(root)');

/**
 * Parses and validates a rules file (JSON text or an already-parsed value), then checks it
 * against the site: a rule that names a zone the mall does not have, or matches nothing, is
 * refused rather than silently watching nothing. Never throws.
 */
export function parseRuleSet(input: string | unknown, facts?: SiteFacts): RuleSetResult {
  const text = typeof input === 'string' ? input : null;
  let raw: unknown = input;
  if (text !== null) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      // V8 names the position (Node 20) or the line (Node 22+) for most syntax errors.
      const message = (err as Error).message;
      const pos = /position (\d+)/.exec(message);
      const ln = /line (\d+)/.exec(message);
      const line = ln ? Number(ln[1]) : pos ? text.slice(0, Number(pos[1])).split('\n').length : null;
      return { ok: false, issues: [{ path: '(root)', message: `not JSON: ${(err as Error).message}`, line }] };
    }
  }
  const at = (path: readonly PropertyKey[]) => (text === null ? null : locateJsonPath(text, path));
  const parsed = RuleSet.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, at) };
  if (facts) {
    const issues = checkAgainstSite(parsed.data, facts).map((i) => ({ path: pathText(i.path), message: i.message, line: at(i.path) }));
    if (issues.length > 0) return { ok: false, issues };
  }
  return { ok: true, ruleSet: parsed.data };
}

function zodIssues(error: z.ZodError, at: (path: readonly PropertyKey[]) => number | null): RuleFileIssue[] {
  return error.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message, line: at(issue.path) }));
}

/** `rules.3.raise.forS: Too small … (line 42)`, one per line: the operator's to-do list. */
export function formatIssues(issues: readonly RuleFileIssue[], source = 'rules file'): string {
  return `invalid ${source}:\n` + issues.map((i) => `  ${i.path}: ${i.message}${i.line !== null ? ` (line ${i.line})` : ''}`).join('\n');
}

/** Cross-checks a valid rule set against the site model: named things exist, selectors match something. */
export function checkAgainstSite(ruleSet: RuleSet, facts: SiteFacts): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const byId = new Map(ruleSet.rules.map((r) => [r.id, r]));
  const known = (list: readonly string[] | undefined, has: (id: string) => boolean, path: PropertyKey[], what: string) =>
    list?.forEach((id, j) => {
      if (!has(id)) issues.push({ path: [...path, j], message: `no ${what} "${id}" on site "${facts.siteId}"` });
    });
  ruleSet.rules.forEach((rule, i) => {
    if (rule.kind === 'composite') return;
    const base = ['rules', i, 'subjects'];
    if (rule.kind === 'gateway_silence') {
      known(rule.subjects.gatewayIds, (id) => facts.gateways.has(id), [...base, 'gatewayIds'], 'gateway');
      return;
    }
    const sel = rule.subjects;
    known(sel.zoneIds, (id) => facts.zones.has(id), [...base, 'zoneIds'], 'zone');
    known(sel.floorIds, (id) => facts.floors.has(id), [...base, 'floorIds'], 'floor');
    if ('deviceIds' in sel) known(sel.deviceIds, (id) => facts.devices.has(id), [...base, 'deviceIds'], 'device');
    // A selector by kind alone may match nothing here (a mall without a car park runs the
    // shipped rules as they are); one that names floors, zones or devices must match something.
    if (namesIds(sel) && subjectsOf(rule, byId, facts).length === 0) issues.push({ path: base, message: `matches no ${rule.kind === 'event' || rule.kind === 'silence' ? 'device' : 'zone'} on site "${facts.siteId}"` });
  });
  ruleSet.rules.forEach((rule, i) => {
    // A composite whose parts match nothing here is the kind-selector case above, not a contradiction.
    const partsMatch = rule.kind === 'composite' && rule.of.every((id) => {
      const child = byId.get(id);
      return child !== undefined && subjectsOf(child, byId, facts).length > 0;
    });
    if (rule.kind === 'composite' && rule.enabled && partsMatch && subjectsOf(rule, byId, facts).length === 0) {
      issues.push({ path: ['rules', i, 'of'], message: 'its parts have no subject in common' });
    }
  });
  return issues;
}

const namesIds = (sel: object): boolean => ['zoneIds', 'floorIds', 'deviceIds'].some((k) => k in sel && (sel as Record<string, unknown>)[k] !== undefined);

/** Subject ids a rule watches on this site; an `all` composite watches what all its parts watch, an `any` what one does. */
export function subjectsOf(rule: Rule, byId: ReadonlyMap<string, Rule>, facts: SiteFacts): string[] {
  switch (rule.kind) {
    case 'threshold':
    case 'density':
    case 'counter':
      return selectZones(rule.subjects, facts);
    case 'event':
    case 'silence':
      return selectDevices(rule.subjects, facts);
    case 'gateway_silence':
      return selectGateways(rule.subjects, facts);
    case 'composite': {
      const parts = rule.of.map((id) => {
        const child = byId.get(id);
        return new Set(child ? subjectsOf(child, byId, facts) : []);
      });
      if (rule.op === 'any') return [...new Set(parts.flatMap((p) => [...p]))];
      const [first, ...rest] = parts;
      return [...(first ?? [])].filter((id) => rest.every((p) => p.has(id)));
    }
  }
}
