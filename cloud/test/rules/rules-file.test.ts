import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '@atrium/shared';
import { formatIssues, parseRuleSet } from '../../src/rules/load.ts';
import { locateJsonPath } from '../../src/rules/json-locate.ts';
import { siteFacts } from '../../src/rules/subjects.ts';
import { compileRules } from '../../src/rules/evaluate.ts';

const DEFAULT_RULES = fileURLToPath(new URL('../../rules/default.json', import.meta.url));
const demo = siteFacts(loadSiteFile());
const text = readFileSync(DEFAULT_RULES, 'utf8');

const minimal = (rules: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ version: 1, rules, ...extra }, null, 2);
const co2 = { id: 'co2', kind: 'threshold', metric: 'co2', raise: { above: 1000, forS: 600 }, clear: { below: 900, forS: 300 }, alarm: { type: 'air', severity: 'minor' } };

describe('the rules file', () => {
  it('the default rule set validates and refers only to things the demo mall has', () => {
    const r = parseRuleSet(text, demo);
    if (!r.ok) throw new Error(formatIssues(r.issues));
    const compiled = compileRules(r.ruleSet, demo);
    // Every enabled rule watches something on this site, and every alarm type raised is dispatched.
    for (const [id, c] of compiled.byId) expect(c.subjects.size, id).toBeGreaterThan(0);
    const types = new Set(r.ruleSet.rules.flatMap((x) => (x.alarm ? [x.alarm.type] : [])));
    expect([...types].sort()).toEqual(Object.keys(r.ruleSet.dispatch).sort());
    expect(compiled.byId.get('restroom-needs-cleaning')?.subjects.size).toBe(7);
    expect(compiled.byId.get('gate-forced-open')?.subjects.size).toBe(10);
    expect(compiled.byId.get('device-silent')?.subjects.size).toBe(285);
    // Defaults are filled in for what the file leaves out.
    expect(r.ruleSet.rules[0]).toMatchObject({ enabled: true, maxGapS: 180 });
  });

  it('refuses a bad field with its path, the reason and the line of the entry', () => {
    const bad = text.replace('"raise": { "above": 1000, "forS": 600 }', '"raise": { "above": 1000, "forS": -5 }');
    const r = parseRuleSet(bad, demo);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const line = bad.split('\n').findIndex((l) => l.includes('"forS": -5')) + 1;
    expect(r.issues).toEqual([{ path: 'rules.6.raise.forS', message: expect.stringMatching(/>=0/), line }]);
    expect(formatIssues(r.issues, 'cloud/rules/default.json')).toContain(`rules.6.raise.forS: `);
  });

  it('names the field for an unknown rule kind, a missing field and an unknown field', () => {
    const r = parseRuleSet(minimal([{ ...co2, kind: 'thresold' }, { ...co2, id: 'b', raise: undefined }, { ...co2, id: 'c', colour: 'red' }]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toContain('rules.0.kind');
    expect(paths).toContain('rules.1.raise');
    expect(r.issues.find((i) => i.path === 'rules.2')?.message).toMatch(/colour/);
    expect(r.issues.every((i) => i.line !== null)).toBe(true);
  });

  it('refuses a hysteresis band that would flap, and a raise without a direction', () => {
    const r = parseRuleSet(minimal([{ ...co2, clear: { below: 1100, forS: 300 } }, { ...co2, id: 'b', raise: { forS: 60 } }]));
    expect(!r.ok && r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rules.0.clear.below: must be at most raise.above (1000)',
      'rules.1.raise: give exactly one of "above" or "below"',
    ]);
  });

  it('checks composites: known parts, no cycles, one kind of subject', () => {
    const gate = { id: 'g', kind: 'event', events: ['forced_open'] };
    const r = parseRuleSet(
      minimal([
        co2,
        gate,
        { id: 'x', kind: 'composite', op: 'all', of: ['co2', 'nope'] },
        { id: 'y', kind: 'composite', op: 'all', of: ['co2', 'g'] },
        { id: 'p', kind: 'composite', op: 'any', of: ['co2', 'q'] },
        { id: 'q', kind: 'composite', op: 'any', of: ['co2', 'p'] },
      ]),
    );
    expect(!r.ok && r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rules.2.of.1: unknown rule "nope"',
      'rules.3.of: all parts must watch the same kind of subject (zones or devices)',
      'rules.4.of: composites form a cycle',
      'rules.5.of: composites form a cycle',
    ]);
  });

  it('refuses names the site does not have, selectors that match nothing and policies nobody raises', () => {
    const r = parseRuleSet(
      minimal([{ ...co2, subjects: { zoneIds: ['g-atrium', 'g-nowhere'] } }, { ...co2, id: 'b', subjects: { zoneKinds: ['carpark'], floorIds: ['l1'] } }], {
        dispatch: { air: { role: 'technician' }, aircon: { role: 'technician' } },
      }),
      demo,
    );
    expect(!r.ok && r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(['dispatch.aircon: no rule raises alarm type "aircon"']);
    const r2 = parseRuleSet(minimal([{ ...co2, subjects: { zoneIds: ['g-atrium', 'g-nowhere'] } }, { ...co2, id: 'b', subjects: { zoneKinds: ['carpark'], floorIds: ['l1'] } }]), demo);
    expect(!r2.ok && r2.issues.map((i) => `${i.path}: ${i.message} @${i.line}`)).toEqual([
      'rules.0.subjects.zoneIds.1: no zone "g-nowhere" on site "demo-mall" @23',
      'rules.1.subjects: matches no zone on site "demo-mall" @43',
    ]);
  });

  it('reports where text that is not JSON breaks', () => {
    const r = parseRuleSet('{\n  "version": 1,\n  "rules": [{ "id": "a", }]\n}');
    expect(!r.ok && r.issues[0]).toMatchObject({ path: '(root)', line: 3 });
  });

  it('locates paths in JSON text', () => {
    const t = '{\n "a": [\n  {"b": 1},\n  {"c": "x\\"}", "d": [1,\n 2]}\n ]\n}';
    expect(locateJsonPath(t, ['a', 1, 'd', 1])).toBe(5);
    expect(locateJsonPath(t, ['a', 0, 'b'])).toBe(3);
    expect(locateJsonPath(t, ['a', 1, 'missing'])).toBe(4);
    expect(locateJsonPath(t, [])).toBe(1);
  });
});
