/**
 * docker-compose.yml as a new user runs it beside this machine's own services (issue 10):
 * host ports that do not collide with a local RabbitMQ, a stop grace the service's drain
 * fits in, pinned third-party images, one image build, and a base URL the containers reach.
 * `docker compose config` validates the syntax where Compose is installed; this checks
 * what it cannot.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHUTDOWN_EXIT_MARGIN_MS, loadConfig } from '../../../src/config.js';

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly pull_policy?: string;
  readonly ports?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly stop_grace_period?: string;
  readonly depends_on?: Readonly<Record<string, unknown>>;
}

const file = new URL('../../../docker-compose.yml', import.meta.url);
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => s.environment?.ROLE !== undefined);

/** Compose durations such as `40s`, `1m30s`, `500ms`, in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`not a duration: ${text}`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? ''] ?? NaN), 0);
}

/** Host ports of `'host:container'` entries (a bare container port publishes a random one). */
function hostPorts(service: Service): number[] {
  return (service.ports ?? []).flatMap((entry) => {
    const parts = entry.split(':');
    return parts.length >= 2 ? [Number(parts.at(-2))] : [];
  });
}

describe('docker-compose.yml', () => {
  it('has the services the README names, two of them running this service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['distribution', 'minio', 'rabbitmq', 'redis', 'worker'].sort(),
    );
    expect(ours.map(([name]) => name).sort()).toEqual(['distribution', 'worker']);
  });

  it("publishes no host port of the machine's own RabbitMQ, and no port twice", () => {
    const all = services.flatMap(([, s]) => hostPorts(s));
    expect(all).not.toContain(5672);
    expect(all).not.toContain(15672);
    expect(hostPorts(compose.services.rabbitmq ?? {})).toEqual([5673, 15673]);
    expect(new Set(all).size).toBe(all.length);
  });

  it("gives this service's containers time to drain before Docker kills them", () => {
    const defaultGrace = loadConfig({}).shutdownGraceMs;
    expect(defaultGrace).toBe(25_000);
    for (const [name, service] of ours) {
      const grace = Number(service.environment?.SHUTDOWN_GRACE_MS ?? defaultGrace);
      expect(service.stop_grace_period, name).toBeDefined();
      expect(durationMs(service.stop_grace_period ?? ''), name).toBeGreaterThanOrEqual(
        grace + SHUTDOWN_EXIT_MARGIN_MS,
      );
    }
  });

  it('pins every third-party image to a tag, MinIO to a release', () => {
    for (const [name, service] of services.filter(([, s]) => s.build === undefined)) {
      const image = service.image ?? '';
      if (image === compose.services.distribution?.image) continue;
      expect(image, name).toMatch(/:[^/]+$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
    expect(compose.services.minio?.image).toMatch(/^minio\/minio:RELEASE\.\d{4}-\d\d-\d\dT/);
  });

  it('builds the image once: one service builds it, the others run it and never pull it', () => {
    const builders = services.filter(([, s]) => s.build !== undefined);
    expect(builders.map(([name]) => name)).toEqual(['distribution']);
    const image = compose.services.distribution?.image;
    expect(image).toBeDefined();
    for (const [name, service] of ours.filter(([, s]) => s.build === undefined)) {
      expect(service.image, name).toBe(image);
      expect(service.pull_policy, name).toBe('never');
      expect(Object.keys(service.depends_on ?? {}), name).toContain('distribution');
    }
  });

  it('publishes under a base URL the containers themselves reach (not localhost)', () => {
    for (const [name, service] of ours) {
      const base = service.environment?.DISTRIBUTION_BASE_URL ?? '';
      // `${VAR:-default}`: the default is what a user gets who sets nothing.
      const fallback = /^\$\{DISTRIBUTION_BASE_URL:-(.+)\}$/.exec(base)?.[1] ?? base;
      expect(new URL(fallback).hostname, name).toBe('minio');
    }
  });

  it('parses durations as Compose does, and refuses others', () => {
    expect(durationMs('40s')).toBe(40_000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('500ms')).toBe(500);
    expect(() => durationMs('40')).toThrow(/not a duration/);
    expect(() => durationMs('4 0s')).toThrow(/not a duration/);
  });
});
