/**
 * Readers of the service registry's JAXB answers (`JaxbServiceRegistration`,
 * `JaxbServiceRegistrationList`, `JaxbHostRegistrationList`): children qualified with the
 * serviceregistry namespace, lists as repeated `service` / `host` elements. Pure.
 */
import type { XmlNode } from '../opencast/model.js';
import { childNodes, childText, toXmlNode } from '../opencast/xml-node.js';
import { readXml } from '../opencast/xml-tree.js';
import { parseXmlBoolean } from '../opencast/xml-values.js';

/** Namespace of the service registry's JAXB classes. */
export const SERVICE_REGISTRY_NS = 'http://serviceregistry.opencastproject.org';

/** The fields of one service registration that this service acts on. */
export interface ServiceRegistration {
  readonly type: string | undefined;
  readonly host: string | undefined;
  readonly path: string | undefined;
  readonly active: boolean;
  readonly online: boolean;
  readonly maintenance: boolean;
  readonly jobProducer: boolean;
  /** `NORMAL`, `WARNING` or `ERROR`; ERROR registrations get no work (protocol §3 step 8). */
  readonly serviceState: string | undefined;
}

function readRegistration(node: XmlNode): ServiceRegistration {
  const text = (name: string) => childText(node, name, 'The service registration');
  // Primitive booleans in JAXB: false when absent.
  const flag = (name: string) => {
    const value = text(name);
    return value === undefined ? false : parseXmlBoolean(value, `Service ${name}`);
  };
  return {
    type: text('type'),
    host: text('host'),
    path: text('path'),
    active: flag('active'),
    online: flag('online'),
    maintenance: flag('maintenance'),
    jobProducer: flag('jobproducer'),
    serviceState: text('service_state'),
  };
}

/** Parses one `<service>` (the answer of `POST /services/register`). */
export function parseServiceRegistration(xml: string): ServiceRegistration {
  return readRegistration(toXmlNode(readXml(xml), SERVICE_REGISTRY_NS));
}

/** Parses a `<services>` list (the answer of `GET /services/services.xml`). */
export function parseServiceRegistrations(xml: string): ServiceRegistration[] {
  const root = toXmlNode(readXml(xml), SERVICE_REGISTRY_NS);
  return childNodes(root, 'service').map(readRegistration);
}

/** The `base_url` of each host in a `<hosts>` list (`GET /services/hosts.xml`). */
export function parseHostBaseUrls(xml: string): string[] {
  const root = toXmlNode(readXml(xml), SERVICE_REGISTRY_NS);
  return childNodes(root, 'host')
    .map((host) => childText(host, 'base_url', 'The host registration'))
    .filter((url): url is string => url !== undefined);
}
