import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexSite } from '@atrium/shared';
import { checkPayload, checkTopic } from '../src/readings/intake.ts';
import { checkPlausible } from '../src/readings/plausibility.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

// docs/protocol.md shows messages that pass their schema and are still refused, with the reason: each must be.
const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const refused = [...doc.matchAll(/```json (example=valid [^\n]*refused=(\S+)[^\n]*)\n([\s\S]*?)```/g)].map(([, label, reason, body]) => ({ label: label!, reason: reason!, body: body! }));
const site = indexSite(miniSite);
const NOW = 1763694000000 + 60_000;
const LIMITS = { clockSkewMs: 300_000, maxAgeMs: 0, maxCrossingsPerMinute: 600, maxPeoplePerM2: 4 };

describe('plausibility refusals documented in protocol.md', () => {
  it('documents both reasons', () => {
    expect(refused.map((r) => r.reason).sort()).toEqual(['clock_skew', 'implausible_count']);
  });

  for (const example of refused) {
    it(example.label, () => {
      const addressed = checkTopic(site, 'radar-hall-1', 'atrium/mini/radar-hall-1/count');
      if (!addressed.ok) throw new Error(addressed.rejection.detail);
      const parsed = checkPayload(addressed.addressed, Buffer.from(example.body), 4096);
      if (!parsed.ok) throw new Error(parsed.rejection.detail);
      expect(checkPlausible(site, parsed.reading, NOW, LIMITS)).toMatchObject({ code: example.reason });
    });
  }
});
