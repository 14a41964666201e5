/**
 * Reads a job XML as JobParser does: the root's name is not checked, but children count only
 * when qualified with the job namespace (any prefix); others are silently ignored, so a
 * service that forgets the namespace sees its fields wiped, as it would in Opencast.
 */
import { XMLParser } from 'fast-xml-parser';
import { JOB_NS } from './job-xml.js';
import type { JobStatus } from './types.js';

/** The fields `PUT /services/job/{id}.xml` copies from the XML. */
export interface ParsedJob {
  version: number | undefined;
  status: JobStatus | undefined;
  operation: string | undefined;
  args: string[] | undefined;
  processingHost: string | undefined;
  payload: string | undefined;
  dispatchable: boolean;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === 'arg' || name.endsWith(':arg'),
});

type Node = Record<string, unknown>;
const text = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'object' && v !== null
      ? (((v as Node)['#text'] as string | undefined) ?? '')
      : undefined;

/** Parses a job document; throws when it is not XML or has no root element. */
export function parseJobXml(xml: string): ParsedJob {
  const doc = parser.parse(xml) as Node;
  const rootName = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (rootName === undefined) throw new Error('no root element');
  const root = doc[rootName] as Node;
  // The prefix bound to the job namespace: '' for the default namespace, 'p:' for xmlns:p.
  const binding = Object.entries(root).find(
    ([k, v]) => k.startsWith('@_xmlns') && v === JOB_NS,
  )?.[0];
  if (binding === undefined) return emptyJob(root);
  const prefix = binding === '@_xmlns' ? '' : `${binding.slice('@_xmlns:'.length)}:`;
  const child = (name: string) => text(root[prefix + name]);
  const argsNode = root[`${prefix}args`];
  const argList =
    argsNode === undefined
      ? undefined
      : typeof argsNode === 'object' && argsNode !== null
        ? (((argsNode as Node)[`${prefix}arg`] as unknown[] | undefined) ?? []).map(
            (a) => text(a) ?? '',
          )
        : [];
  return {
    ...emptyJob(root),
    operation: child('operation'),
    args: argList,
    processingHost: child('processingHost'),
    payload: child('payload'),
    dispatchable: child('dispatchable') === 'true',
  };
}

function emptyJob(root: Node): ParsedJob {
  const version = root['@_version'];
  return {
    version: typeof version === 'string' ? Number(version) : undefined,
    status: root['@_status'] as JobStatus | undefined,
    operation: undefined,
    args: undefined,
    processingHost: undefined,
    payload: undefined,
    dispatchable: false,
  };
}
