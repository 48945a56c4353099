import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDGE_ERRORS, EdgeError } from '../src/core/errors.ts';

const protocol = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
/** The backticked reasons in the protocol's paragraph that starts with `marker`. */
const reasonsAfter = (marker: string) => {
  const start = protocol.indexOf(marker);
  expect(start, `docs/protocol.md has "${marker}"`).toBeGreaterThanOrEqual(0);
  const end = protocol.indexOf('\n\n', start);
  return [...protocol.slice(start, end < 0 ? undefined : end).matchAll(/`([a-z]+(?:_[a-z]+)+)`/g)].map((m) => m[1]!).filter((r) => !r.startsWith('atrium_'));
};

describe('edge error catalogue', () => {
  it('has every refusal reason the protocol documents, as a device code', () => {
    const documented = [...reasonsAfter('Refused connections are counted'), ...reasonsAfter('Refusals never disconnect the device')];
    expect(documented.length).toBeGreaterThan(10);
    for (const reason of documented) expect(EDGE_ERRORS, reason).toHaveProperty([reason, 'audience'], 'device');
  });

  it('gives thrown errors their code and status from the catalogue', () => {
    const err = new EdgeError('ATRIUM_RED_UNAUTHENTICATED', 'a bearer token is required');
    expect(err).toMatchObject({ code: 'ATRIUM_RED_UNAUTHENTICATED', status: 401, message: 'a bearer token is required' });
  });
});
