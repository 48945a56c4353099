import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DEVICE_KINDS, Uplink, channelSchema, describeIssues, type DeviceKind } from '../src/index.ts';

// The protocol doc's examples are the test data: a doc example that stops matching the schema fails here.
const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json (example=\S+[^\n]*)\n([\s\S]*?)```/g)].map(([, info, body]) => {
  const attrs = Object.fromEntries(info!.split(' ').map((kv) => kv.split('=') as [string, string]));
  return { attrs, json: JSON.parse(body!) as unknown, label: info! };
});

const schemaFor = (attrs: Record<string, string>): z.ZodType => {
  if (attrs.uplink) return Uplink;
  const [kind, channel] = attrs.channel!.split('/') as [DeviceKind, string];
  const schema = channelSchema(kind, channel);
  if (!schema) throw new Error(`protocol.md names an unknown channel ${attrs.channel}`);
  return schema;
};

describe('protocol.md examples', () => {
  it('has valid and invalid examples for every device family and the uplink', () => {
    for (const kind of DEVICE_KINDS) {
      expect(examples.some((e) => e.attrs.example === 'valid' && e.attrs.channel?.startsWith(`${kind}/`))).toBe(true);
      expect(examples.some((e) => e.attrs.example === 'invalid' && e.attrs.channel?.startsWith(`${kind}/`))).toBe(true);
    }
    expect(examples.filter((e) => e.attrs.uplink).length).toBeGreaterThanOrEqual(4);
  });

  for (const e of examples) {
    it(`${e.label}`, () => {
      const result = schemaFor(e.attrs).safeParse(e.json);
      if (e.attrs.example === 'valid') {
        expect(result.success, result.success ? '' : describeIssues(result.error)).toBe(true);
      } else {
        expect(result.success).toBe(false);
        // The refusal must name the offending field, so a device maker can fix it from the log line.
        if (!result.success) expect(describeIssues(result.error)).toContain(e.attrs.reason);
      }
    });
  }
});
