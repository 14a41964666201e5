/**
 * deploy/kubernetes against its schemas and against the code: every object valid for its
 * kind (Kubernetes' OpenAPI, KEDA's CRDs), and the promises the manifests make checked where
 * the code decides them: probes the processes really answer without credentials, variables
 * config.ts really reads (and accepts), grace periods longer than the process's shutdown,
 * the queue KEDA watches, the image the Dockerfile builds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IProbe } from 'kubernetes-models/v1';
import { Closers } from '../../../src/compose/closers.js';
import { startOps } from '../../../src/compose/ops.js';
import {
  CONFIG_VARIABLES,
  SHUTDOWN_EXIT_MARGIN_MS,
  loadConfig,
  type Config,
} from '../../../src/config.js';
import { createApp } from '../../../src/http/app.js';
import { createMetrics } from '../../../src/metrics.js';
import { topologyNames } from '../../../src/messaging/topology.js';
import { readDocument } from '../../helpers/api-documents.js';
import { testJobService } from '../../helpers/app-harness.js';
import {
  KUSTOMIZATION,
  all,
  MANIFEST_DIR,
  containerEnv,
  find,
  kindOf,
  loadManifests,
  secretValues,
  validateManifest,
  yamlFiles,
} from '../../helpers/kubernetes-manifests.js';

const manifests = loadManifests();
const objects = manifests.filter(({ doc }) => kindOf(doc) !== KUSTOMIZATION);
const deployments = all(manifests, 'apps/v1/Deployment');
const api = find(manifests, 'apps/v1/Deployment', 'ocs3-api');
const worker = find(manifests, 'apps/v1/Deployment', 'ocs3-worker');
const silent = pino({ level: 'silent' });

function onlyContainer(deployment: IDeployment): IContainer {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  expect(containers).toHaveLength(1);
  const [container] = containers;
  if (container === undefined) throw new Error('no container');
  return container;
}

/** The configuration the container's process would start with. */
function configOf(deployment: IDeployment): Config {
  return loadConfig(containerEnv(onlyContainer(deployment), manifests));
}

function probePath(probe: IProbe | undefined): string {
  const path = probe?.httpGet?.path;
  if (path === undefined) throw new Error('not an HTTP probe');
  return path;
}

function probesOf(container: IContainer): IProbe[] {
  const probes = [container.startupProbe, container.livenessProbe, container.readinessProbe];
  expect(probes.every((probe) => probe !== undefined)).toBe(true);
  return probes.filter((probe) => probe !== undefined);
}

function labelsMatch(selector: Record<string, string> | undefined, deployment: IDeployment) {
  const labels = deployment.spec?.template.metadata?.labels ?? {};
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

describe('the manifests are valid Kubernetes objects', () => {
  it('holds only objects valid for their kind', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const manifest of objects)
      expect(() => {
        validateManifest(manifest);
      }).not.toThrow();
  });

  it('refuses an object that breaks its schema (the check is not a formality)', () => {
    const broken = structuredClone(api) as unknown as Record<string, unknown>;
    const spec = (broken.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
      .template.spec;
    spec.containers[0] = { ...spec.containers[0], ports: [{ containerPort: 'http' }] };
    expect(() => {
      validateManifest({ file: 'api.yaml', doc: broken });
    }).toThrow(/containerPort/);
    const scaled = structuredClone(
      find(manifests, 'keda.sh/v1alpha1/ScaledObject', 'ocs3-worker'),
    ) as unknown as Record<string, unknown>;
    delete scaled.spec;
    expect(() => {
      validateManifest({ file: 'keda.yaml', doc: scaled });
    }).toThrow(/spec/);
    expect(() => {
      validateManifest({ file: 'x.yaml', doc: { apiVersion: 'v9', kind: 'Pod' } });
    }).toThrow(/no schema for v9\/Pod/);
  });

  it('lists every file of each folder in its kustomization, and nothing else', () => {
    const kustomizations = manifests.filter(({ doc }) => kindOf(doc) === KUSTOMIZATION);
    expect(kustomizations.map(({ file }) => file).sort()).toEqual([
      'kustomization.yaml',
      join('rabbitmq', 'kustomization.yaml'),
    ]);
    for (const { file, doc } of kustomizations) {
      const folder = file.slice(0, -'kustomization.yaml'.length);
      const inFolder = yamlFiles(join(MANIFEST_DIR, folder)).filter(
        (name) => !name.includes('/') && name !== 'kustomization.yaml',
      );
      expect((doc.resources as string[]).slice().sort(), file).toEqual(inFolder);
    }
  });
});

describe('the manifests agree with the code', () => {
  it('run the API and the workers as separate Deployments of the image deploy/Dockerfile builds', () => {
    expect(configOf(api).role).toBe('api');
    expect(configOf(worker).role).toBe('worker');
    const dockerfile = readFileSync(new URL('../../../deploy/Dockerfile', import.meta.url), 'utf8');
    const image = /docker build -f deploy\/Dockerfile -t (\S+) \./.exec(dockerfile)?.[1];
    expect(image).toBe('opencast-s3-distribution');
    for (const deployment of deployments) expect(onlyContainer(deployment).image).toBe(image);
    const kustomization = manifests.find(({ file }) => file === 'kustomization.yaml')?.doc;
    const images = (kustomization?.images ?? []) as { name: string }[];
    expect(images.map(({ name }) => name)).toEqual([image]);
  });

  it('set only variables config.ts reads, with values it accepts', () => {
    const known = new Set(CONFIG_VARIABLES);
    const config = find(manifests, 'v1/ConfigMap', 'ocs3-config');
    const secret = find(manifests, 'v1/Secret', 'ocs3-secrets');
    const names = [
      ...Object.keys(config.data ?? {}),
      ...Object.keys(secretValues(secret)),
      ...deployments.flatMap((d) => (onlyContainer(d).env ?? []).map(({ name }) => name)),
    ];
    expect(names.filter((name) => !known.has(name))).toEqual([]);
    for (const deployment of deployments) expect(() => configOf(deployment)).not.toThrow();
  });

  it('ship placeholders, never usable credentials', () => {
    for (const secret of all(manifests, 'v1/Secret')) {
      for (const [key, value] of Object.entries(secretValues(secret))) {
        // A user name is no secret; every other value says CHANGE_ME (AUTH_DIGEST_SECRET
        // must be base64 to start at all, so its placeholder says it once decoded).
        if (key.endsWith('_USER')) continue;
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        expect(value.includes('CHANGE_ME') || decoded.includes('CHANGE_ME'), key).toBe(true);
      }
    }
  });

  it('share job status through Redis and never need a writable file system', () => {
    for (const deployment of deployments) {
      const config = configOf(deployment);
      expect(config.jobStore.redisUrl).toBeDefined();
      // The embedded store writes to ./data; the image has none and the root is read-only.
      expect(config.s3.embedded).toBeUndefined();
    }
  });

  it('give each process longer than its shutdown takes before Kubernetes kills it', () => {
    for (const deployment of deployments) {
      const container = onlyContainer(deployment);
      const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
      const pauseMs = preStop[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
      expect(Number.isFinite(pauseMs)).toBe(true);
      const needed = pauseMs + configOf(deployment).shutdownGraceMs + SHUTDOWN_EXIT_MARGIN_MS;
      const grace = deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
      expect(grace * 1000, deployment.metadata?.name).toBeGreaterThan(needed);
    }
  });

  it('run as a non-root user on a read-only root, with resources requested', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
      const container = onlyContainer(deployment);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources?.requests).toHaveProperty('cpu');
      expect(container.resources?.requests).toHaveProperty('memory');
      expect(container.resources?.limits).toHaveProperty('memory');
    }
  });

  it('put every probe on the port the process listens on, liveness on /health, readiness on /ready', () => {
    const documented = Object.keys(readDocument('openapi.json').paths as object);
    for (const deployment of deployments) {
      const container = onlyContainer(deployment);
      const port = container.ports?.find(({ name }) => name === 'http')?.containerPort;
      expect(port).toBe(configOf(deployment).http.port);
      for (const probe of probesOf(container)) {
        expect(probe.httpGet?.port).toBe('http');
        expect(documented).toContain(probePath(probe));
      }
      expect(probePath(container.livenessProbe)).toBe('/health');
      expect(probePath(container.readinessProbe)).toBe('/ready');
    }
  });

  it('select the pods they mean: the Service only API pods, each PDB one Deployment', () => {
    const service = find(manifests, 'v1/Service', 'ocs3-api');
    expect(deployments.filter((d) => labelsMatch(service.spec?.selector, d))).toEqual([api]);
    const named = service.spec?.ports?.map(({ targetPort }) => targetPort);
    expect(named).toEqual(['http']);
    for (const budget of all(manifests, 'policy/v1/PodDisruptionBudget')) {
      const selector = budget.spec?.selector?.matchLabels;
      expect(deployments.filter((d) => labelsMatch(selector, d))).toHaveLength(1);
    }
    for (const deployment of deployments) {
      expect(labelsMatch(deployment.spec?.selector.matchLabels, deployment)).toBe(true);
    }
  });
});

describe('the probes reach routes the processes answer without credentials', () => {
  let closers: Closers | undefined;
  afterEach(async () => {
    await closers?.close();
    closers = undefined;
  });
  const ready = () => Promise.resolve({ ready: true, checks: {} });

  it('on the API (Digest users are configured, probes carry none)', async () => {
    const config = configOf(api);
    expect(config.auth.users.size).toBeGreaterThan(0);
    const { users, secret, allowBasic } = config.auth;
    const app = createApp({
      jobs: testJobService(),
      validate: () => undefined,
      syncTimeoutMs: 1000,
      defaultOrganization: config.defaultOrganization,
      readiness: ready,
      maxBodyBytes: config.maxBodyBytes,
      logger: silent,
      auth: { users, secret, allowBasic },
    });
    for (const probe of probesOf(onlyContainer(api))) {
      expect((await app.request(probePath(probe))).status, probePath(probe)).toBe(200);
    }
  });

  it('on a worker, which serves only health and metrics', async () => {
    closers = new Closers(silent);
    const config = loadConfig({
      ...containerEnv(onlyContainer(worker), manifests),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
    });
    const url = await startOps(
      config,
      silent,
      { readiness: ready, metrics: createMetrics() },
      closers,
    );
    for (const probe of probesOf(onlyContainer(worker))) {
      expect((await fetch(`${url}${probePath(probe)}`)).status, probePath(probe)).toBe(200);
    }
  });
});

describe('worker autoscaling and long uploads', () => {
  const scaled = find(manifests, 'keda.sh/v1alpha1/ScaledObject', 'ocs3-worker');

  it('scales the worker Deployment on the queue the workers consume', () => {
    expect(scaled.spec.scaleTargetRef.name).toBe(worker.metadata?.name);
    // KEDA owns the replica count: a count in the Deployment would be reset by every apply.
    expect(worker.spec?.replicas).toBeUndefined();
    const config = configOf(worker);
    const [trigger, ...others] = scaled.spec.triggers;
    expect(others).toEqual([]);
    expect(trigger?.type).toBe('rabbitmq');
    expect(trigger?.metadata.queueName).toBe(topologyNames(config.amqp.prefix).workQueue);
    expect(trigger?.metadata.mode).toBe('QueueLength');
    // One worker per WORKER_CONCURRENCY messages, running or waiting.
    expect(trigger?.metadata.protocol).toBe('http');
    expect(Number(trigger?.metadata.value)).toBe(config.amqp.concurrency);
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it('authenticates KEDA with a key its Secret has', () => {
    const [trigger] = scaled.spec.triggers;
    const name = trigger?.authenticationRef?.name ?? '';
    const auth = find(manifests, 'keda.sh/v1alpha1/TriggerAuthentication', name);
    const refs = auth.spec.secretTargetRef ?? [];
    expect(refs.map(({ parameter }) => parameter)).toEqual(['host']);
    for (const ref of refs) {
      const values = secretValues(find(manifests, 'v1/Secret', ref.name));
      expect(values).toHaveProperty(ref.key);
      expect(new URL(values[ref.key] ?? '').protocol).toBe('http:');
    }
  });

  it("hands long commands over well before RabbitMQ's consumer_timeout", () => {
    const conf = find(manifests, 'v1/ConfigMap', 'ocs3-rabbitmq-conf');
    const lines = Object.values(conf.data ?? {}).join('\n');
    const timeoutMs = Number(/^consumer_timeout\s*=\s*(\d+)\s*$/m.exec(lines)?.[1]);
    expect(timeoutMs).toBeGreaterThan(0);
    const config = configOf(worker);
    // README: AMQP_HANDOVER_AFTER_MS "well below" it, COMMAND_DEADLINE_MS at least 2 min below.
    expect(config.amqp.lease?.handoverAfterMs).toBeLessThanOrEqual(timeoutMs / 2);
    expect(config.commandDeadlineMs + 120_000).toBeLessThanOrEqual(timeoutMs);
  });
});
