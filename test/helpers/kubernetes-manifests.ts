/**
 * Reading deploy/kubernetes offline: every YAML document of every file, checked against its
 * kind's schema (the validators `kubernetes-models` and `@kubernetes-models/keda` compile
 * from Kubernetes' OpenAPI and KEDA's CRDs), and the environment a container would get.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { Model, ModelData } from '@kubernetes-models/base';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import type {
  IScaledObject,
  ITriggerAuthentication,
} from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import type { IConfigMap, IContainer, INamespace, ISecret, IService } from 'kubernetes-models/v1';

/** The folder the manifests live in. */
export const MANIFEST_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

/** One YAML document: the file it came from (relative to {@link MANIFEST_DIR}) and its value. */
export interface Manifest {
  readonly file: string;
  readonly doc: Record<string, unknown>;
}

/** Kustomize's own file: not a Kubernetes object, checked by the tests themselves. */
export const KUSTOMIZATION = 'kustomize.config.k8s.io/v1beta1/Kustomization';

/** Validation by a model class: its constructor takes the data, `validate()` throws. */
function checkedBy<T>(model: new (data?: ModelData<T>) => Model<T>): (doc: unknown) => void {
  return (doc) => {
    new model(doc as ModelData<T>).validate();
  };
}

/** The schema check of every kind the manifests may hold, by `apiVersion/kind`. */
const SCHEMAS: Record<string, (doc: unknown) => void> = {
  'v1/Namespace': checkedBy(Namespace),
  'v1/ConfigMap': checkedBy(ConfigMap),
  'v1/Secret': checkedBy(Secret),
  'v1/Service': checkedBy(Service),
  'apps/v1/Deployment': checkedBy(Deployment),
  'policy/v1/PodDisruptionBudget': checkedBy(PodDisruptionBudget),
  'keda.sh/v1alpha1/ScaledObject': checkedBy(ScaledObject),
  'keda.sh/v1alpha1/TriggerAuthentication': checkedBy(TriggerAuthentication),
};

/** `apiVersion/kind` of a document. */
export function kindOf(doc: Record<string, unknown>): string {
  return `${String(doc.apiVersion)}/${String(doc.kind)}`;
}

/** Every `.yaml` file under `dir`, relative to it, sorted. */
export function yamlFiles(dir: string = MANIFEST_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

/** Parses every document of every file; throws naming the file on a YAML error. */
export function loadManifests(dir: string = MANIFEST_DIR): Manifest[] {
  return yamlFiles(dir).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) {
        throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      }
      const doc: unknown = document.toJS();
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        throw new Error(`${file}: a document is not an object`);
      }
      return { file, doc: doc as Record<string, unknown> };
    }),
  );
}

/**
 * Checks a document against its kind's schema; throws naming the kind, the object and every
 * violation. A kind without a schema here is refused rather than passed unchecked.
 */
export function validateManifest({ file, doc }: Manifest): void {
  const kind = kindOf(doc);
  const check = SCHEMAS[kind];
  if (check === undefined) throw new Error(`${file}: no schema for ${kind}`);
  try {
    check(doc);
  } catch (error) {
    const name = String((doc.metadata as { name?: unknown } | undefined)?.name);
    throw new Error(`${file}: ${kind} ${name}: ${String(error)}`, { cause: error });
  }
}

/** The kinds the manifests hold, by `apiVersion/kind` (each checked by its schema above). */
export interface Kinds {
  'v1/Namespace': INamespace;
  'v1/ConfigMap': IConfigMap;
  'v1/Secret': ISecret;
  'v1/Service': IService;
  'apps/v1/Deployment': IDeployment;
  'policy/v1/PodDisruptionBudget': IPodDisruptionBudget;
  'keda.sh/v1alpha1/ScaledObject': IScaledObject;
  'keda.sh/v1alpha1/TriggerAuthentication': ITriggerAuthentication;
}

/** Every object of `kind`, typed as the schema check above proves it to be. */
export function all<K extends keyof Kinds>(manifests: readonly Manifest[], kind: K): Kinds[K][] {
  return manifests
    .filter(({ doc }) => kindOf(doc) === kind)
    .map(({ doc }) => doc as unknown as Kinds[K]);
}

/** The object of `kind` named `name`; throws when there is not exactly one. */
export function find<K extends keyof Kinds>(
  manifests: readonly Manifest[],
  kind: K,
  name: string,
): Kinds[K] {
  const found = all(manifests, kind).filter((object) => object.metadata?.name === name);
  const [object, ...more] = found;
  if (object === undefined || more.length > 0) {
    throw new Error(`${String(found.length)} × ${kind} ${name}`);
  }
  return object;
}

/**
 * The environment `container` gets: its ConfigMaps' and Secrets' keys (`envFrom`), then its
 * own `env`, which wins, as in Kubernetes. Throws on what cannot be known offline.
 */
export function containerEnv(
  container: IContainer,
  manifests: readonly Manifest[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.prefix !== undefined) throw new Error('envFrom prefixes are not resolved');
    if (source.configMapRef !== undefined) {
      const map = find(manifests, 'v1/ConfigMap', source.configMapRef.name ?? '');
      Object.assign(env, map.data);
    }
    if (source.secretRef !== undefined) {
      Object.assign(env, secretValues(find(manifests, 'v1/Secret', source.secretRef.name ?? '')));
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value === undefined) throw new Error(`${variable.name}: valueFrom not resolved`);
    env[variable.name] = variable.value;
  }
  return env;
}

/** A Secret's values in clear: `stringData` over base64-decoded `data`, as the API server merges them. */
export function secretValues(secret: ISecret): Record<string, string> {
  const decoded = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
  return { ...decoded, ...secret.stringData };
}
