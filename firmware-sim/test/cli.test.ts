import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.ts';
import { parseDuration } from '../src/cli/duration.ts';

const NOW = Date.parse('2025-03-11T00:00:00Z');
const parse = (argv: string[], env: Record<string, string> = {}) => parseCli(argv, env, NOW, () => 'Australia/Melbourne');
const SECRET = 'a-device-secret-of-length';

describe('atrium-sim command line', () => {
  it('takes the documented flags', () => {
    const r = parse(['--edge', 'mqtt://127.0.0.1:1883', '--secret', SECRET, '--speed', '60', '--seed', '42', '--duration', '3h', '--start', '2025-03-08T09:30']);
    expect(r.ok && r.args).toMatchObject({ edge: 'mqtt://127.0.0.1:1883', secret: SECRET, speed: 60, seed: 42, duration: 3 * 3_600_000, start: Date.parse('2025-03-07T22:30:00Z') });
  });

  it('fills defaults, reads the secret from the environment, accepts max speed and faults', () => {
    const r = parse(['--edge', 'mqtt://h:1883', '--speed', 'max', '--duplicate-rate', '0.01', '--clock-drift', '2s'], { ATRIUM_DEVICE_SECRET: SECRET });
    expect(r.ok && r.args).toMatchObject({ secret: SECRET, speed: 'max', seed: 1, start: NOW, 'duplicate-rate': 0.01, 'clock-drift': 2000, 'log-level': 'info' });
    expect(r.ok && r.args.duration).toBeUndefined();
  });

  it.each([
    [['--edge', 'http://x', '--secret', SECRET], /^--edge: /],
    [['--edge', 'mqtt://h:1', '--secret', SECRET, '--speed=-3'], /^--speed: /],
    [['--edge', 'mqtt://h:1', '--secret', SECRET, '--duration', '3 hours'], /^--duration: must be a duration like/],
    [['--edge', 'mqtt://h:1', '--secret', SECRET, '--start', 'yesterday'], /^--start: /],
    [['--edge', 'mqtt://h:1', '--secret', SECRET, '--malformed-rate', '2'], /^--malformed-rate: must be between 0 and 1/],
    [['--edge', 'mqtt://h:1', '--secret', SECRET, '--log-level', 'loud'], /^--log-level: /],
    [['--edge', 'mqtt://h:1'], /^--secret: is required/],
    [['--edge', 'mqtt://h:1', '--secret', 'short'], /^--secret: must be at least 16/],
    [['--edge', 'mqtt://h:1', '--secret', SECRET, '--colour', 'blue'], /'--colour'/],
  ])('refuses %j naming the flag', (argv, message) => {
    const r = parse(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('parses durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
