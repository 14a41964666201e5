import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Closers } from '../../../src/compose/closers.js';
import { startOps } from '../../../src/compose/ops.js';
import { loadConfig } from '../../../src/config.js';
import { createMetrics } from '../../../src/metrics.js';

// Issue 8 item 12: a worker-only process served /metrics to anyone, whatever AUTH_* said.
const env = {
  ROLE: 'worker',
  HTTP_PORT: '0',
  S3_BUCKET: 'b',
  AUTH_DIGEST_USER: 'opencast_system_account',
  AUTH_DIGEST_PASSWORD: 'CHANGE_ME',
  AUTH_ALLOW_BASIC: 'true',
};
let closers: Closers | undefined;

afterEach(async () => {
  await closers?.close();
  closers = undefined;
});

async function ops(extra: Record<string, string> = {}): Promise<string> {
  closers = new Closers(pino({ level: 'silent' }));
  const parts = {
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    metrics: createMetrics(),
  };
  return startOps(loadConfig({ ...env, ...extra }), pino({ level: 'silent' }), parts, closers);
}

describe('worker-only health and metrics', () => {
  it('asks for credentials on /metrics when users are configured, never on /health', async () => {
    const url = await ops();
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const authorization = `Basic ${Buffer.from('opencast_system_account:CHANGE_ME').toString('base64')}`;
    const res = await fetch(`${url}/metrics`, { headers: { Authorization: authorization } });
    expect(res.status).toBe(200);
  });

  it('serves /metrics openly with METRICS_PUBLIC=true', async () => {
    const url = await ops({ METRICS_PUBLIC: 'true' });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});
