/**
 * JaxbServiceRegistration(List) and JaxbHostRegistration(List) as JAXB marshals them: the
 * package schema is QUALIFIED in the registry namespace, fields in declaration order.
 */
import { REGISTRY_NS } from './job-xml.js';
import type { HostRow, RegistrationRow } from './types.js';
import { el, XML_DECL } from './xml-text.js';

function serviceBody(r: RegistrationRow): string {
  return (
    el('type', r.type) +
    el('host', r.host) +
    el('path', r.path) +
    el('active', r.active) +
    el('online', r.online) +
    el('maintenance', r.maintenance) +
    el('jobproducer', r.jobProducer) +
    el('onlinefrom', r.onlineFrom.toISOString()) +
    el('service_state', r.serviceState) +
    el('state_changed', r.stateChanged.toISOString()) +
    el('error_state_trigger', 0) +
    el('warning_state_trigger', 0)
  );
}

/** `<service>` document, the answer of `POST /services/register`. */
export function renderService(r: RegistrationRow): string {
  return `${XML_DECL}<service xmlns="${REGISTRY_NS}">${serviceBody(r)}</service>`;
}

/** `<services>` list, the answer of `GET /services/services.xml`. */
export function renderServices(rows: RegistrationRow[]): string {
  const items = rows.map((r) => `<service>${serviceBody(r)}</service>`).join('');
  return `${XML_DECL}<services xmlns="${REGISTRY_NS}">${items}</services>`;
}

/** `<hosts>` list, the answer of `GET /services/hosts.xml`. */
export function renderHosts(rows: HostRow[]): string {
  const items = rows
    .map(
      (h) =>
        '<host>' +
        el('base_url', h.baseUrl) +
        el('address', h.address) +
        el('node_name', h.nodeName) +
        el('memory', h.memory) +
        el('cores', h.cores) +
        el('max_load', h.maxLoad) +
        el('online', h.online) +
        el('active', h.active) +
        el('maintenance', h.maintenance) +
        '</host>',
    )
    .join('');
  return `${XML_DECL}<hosts xmlns="${REGISTRY_NS}">${items}</hosts>`;
}
