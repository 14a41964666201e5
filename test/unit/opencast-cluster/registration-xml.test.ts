import { describe, expect, it } from 'vitest';
import {
  parseHostBaseUrls,
  parseServiceRegistration,
  parseServiceRegistrations,
} from '../../../src/opencast-cluster/registration-xml.js';

const NS = 'http://serviceregistry.opencastproject.org';
const SERVICE =
  '<service><type>org.opencastproject.distribution.aws.s3</type><host>https://s3.example.org</host>' +
  '<path>/distribution/s3</path><active>true</active><online>false</online><maintenance>true</maintenance>' +
  '<jobproducer>true</jobproducer><onlinefrom>2024-10-01T09:10:00.120Z</onlinefrom>' +
  '<service_state>WARNING</service_state><state_changed>2024-10-01T09:10:00.120Z</state_changed>' +
  '<error_state_trigger>0</error_state_trigger><warning_state_trigger>12</warning_state_trigger></service>';

describe('service registry XML', () => {
  it('reads a JaxbServiceRegistrationList', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><services xmlns="${NS}">${SERVICE}${SERVICE.replace('https://s3.example.org', 'https://other.example.org')}</services>`;
    const [first, second] = parseServiceRegistrations(xml);
    expect(first).toEqual({
      type: 'org.opencastproject.distribution.aws.s3',
      host: 'https://s3.example.org',
      path: '/distribution/s3',
      active: true,
      online: false,
      maintenance: true,
      jobProducer: true,
      serviceState: 'WARNING',
    });
    expect(second?.host).toBe('https://other.example.org');
  });

  it('reads a prefixed single registration and takes absent booleans as false', () => {
    const xml = `<ns2:service xmlns:ns2="${NS}"><ns2:type>t</ns2:type><ns2:online>true</ns2:online></ns2:service>`;
    expect(parseServiceRegistration(xml)).toMatchObject({
      type: 't',
      online: true,
      active: false,
      maintenance: false,
      jobProducer: false,
    });
  });

  it('ignores children outside the namespace, as JAXB does', () => {
    const xml = `<services xmlns="${NS}"><service xmlns="urn:other"><type>t</type></service></services>`;
    expect(parseServiceRegistrations(xml)).toEqual([]);
  });

  it('reads the base URLs of a JaxbHostRegistrationList', () => {
    const host = (url: string) =>
      `<host><base_url>${url}</base_url><address>10.0.0.1</address><node_name>n</node_name><memory>1024</memory><cores>2</cores><max_load>2.0</max_load><online>true</online><active>true</active><maintenance>false</maintenance></host>`;
    const xml = `<hosts xmlns="${NS}">${host('https://admin.example.org')}${host('https://s3.example.org')}</hosts>`;
    expect(parseHostBaseUrls(xml)).toEqual(['https://admin.example.org', 'https://s3.example.org']);
    expect(parseHostBaseUrls(`<hosts xmlns="${NS}"/>`)).toEqual([]);
  });

  it('refuses a boolean JAXB could not read', () => {
    const xml = `<services xmlns="${NS}"><service><online>yes</online></service></services>`;
    expect(() => parseServiceRegistrations(xml)).toThrow(
      expect.objectContaining({ code: 'XML_INVALID' }),
    );
  });
});
