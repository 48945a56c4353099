import { type Observation, RuleSet } from '@atrium/shared';
import { evaluate, type RulesState, type RuleTransition } from '../../src/rules/evaluate.ts';

export const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
export const MIN = 60_000;

/** Rules written inline in tests (validated by the real schema, so a typo fails loudly). */
export const ruleSet = (rules: readonly unknown[], extra: Record<string, unknown> = {}): RuleSet => RuleSet.parse({ version: 1, rules, ...extra });

/** Feeds observations in order (each evaluated at its own data time unless `now` is given) and collects transitions. */
export function run(state: RulesState, inputs: Array<Observation | [Observation, number]>): { state: RulesState; transitions: RuleTransition[] } {
  const transitions: RuleTransition[] = [];
  for (const item of inputs) {
    const [obs, now] = Array.isArray(item) ? item : [item, timeOf(item)];
    const r = evaluate(state, obs, now);
    state = r.state;
    transitions.push(...r.transitions);
  }
  return { state, transitions };
}

const timeOf = (o: Observation): number => ('minute' in o ? o.minute + MIN : 'at' in o ? o.at : T0);

export const brief = (ts: RuleTransition[]) => ts.map((t) => `${t.change} ${t.ruleId} ${t.subject.id} @${(t.at - T0) / MIN}m`);

/** A deterministic noise source (so "noisy" tests are reproducible). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
