import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docker-compose.yml is never run here (no Docker daemon), but it must parse with the secrets it
 * names, and refuse to start without the ones it requires, saying which. Debian's docker-compose
 * (CI installs it in .ci/run) validates it.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE = '/usr/bin/docker-compose';
const SECRETS = {
  ATRIUM_GATEWAY_PASSWORD: 'ci-dummy',
  ATRIUM_DEVICE_SECRET: 'ci-dummy',
  ATRIUM_PRIVACY_KEY: 'ci-dummy',
  ATRIUM_INFLUX_TOKEN: 'ci-dummy',
  ATRIUM_INFLUX_ADMIN_PASSWORD: 'ci-dummy',
};

function config(env: Record<string, string>) {
  if (!existsSync(COMPOSE)) throw new Error(`${COMPOSE} is missing: apt-get install docker-compose (CI does this in .ci/run)`);
  const { PATH, HOME } = process.env;
  return spawnSync(COMPOSE, ['config', '-q'], { cwd: REPO, env: { PATH: PATH ?? '', HOME: HOME ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('docker-compose.yml', () => {
  it('parses with the secrets it asks for', () => {
    const r = config(SECRETS);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses to start without the gateway password, and says which value is missing', () => {
    const { ATRIUM_GATEWAY_PASSWORD: _omitted, ...rest } = SECRETS;
    const r = config(rest);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set ATRIUM_GATEWAY_PASSWORD/);
  });
});
