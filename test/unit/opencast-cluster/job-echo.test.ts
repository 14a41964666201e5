import { describe, expect, it } from 'vitest';
import { asFailed, asFinished, asRunning } from '../../../src/opencast-cluster/job-status.js';
import { parseJob, serializeJob } from '../../../src/opencast/job-xml.js';

/** What the registry's PUT copies from the XML, and what must survive besides. */
const MP_ARG =
  '&lt;?xml version="1.0" encoding="UTF-8" standalone="yes"?&gt;&lt;mediapackage xmlns="http://mediapackage.opencastproject.org" id="efd6e4df-63b6-49af-be5f-15f598778877"&gt;&lt;media/&gt;&lt;/mediapackage&gt;';

/** Spec §3.3's new job, pretty-printed and with the extra namespace JobParser's context adds. */
const QUEUED_PRETTY = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<job id="4711" version="1" type="org.opencastproject.distribution.aws.s3" status="QUEUED" xmlns="http://job.opencastproject.org" xmlns:ns2="http://serviceregistry.opencastproject.org">
  <creator>admin</creator>
  <organization>mh_default_org</organization>
  <url>https://presentation.example.org/services/job/4711.xml</url>
  <operation>Distribute</operation>
  <args>
    <arg>engage-player</arg>
    <arg>${MP_ARG}</arg>
    <arg>["presenter-delivery","episode-dc"]</arg>
    <arg>true</arg>
  </args>
  <parentJobId>4700</parentJobId>
  <rootJobId>4690</rootJobId>
  <queueTime>0</queueTime>
  <runTime>0</runTime>
  <dispatchable>true</dispatchable>
  <jobLoad>0.1</jobLoad>
</job>`;

const PAYLOAD =
  '&lt;?xml version="1.0" encoding="UTF-8" standalone="yes"?&gt;&lt;track id="presenter-delivery" xmlns="http://mediapackage.opencastproject.org"&gt;&lt;url&gt;https://cdn.example.org/a?x=1&amp;amp;y=2&lt;/url&gt;&lt;/track&gt;###&lt;?xml version="1.0"?&gt;&lt;catalog id="episode-dc"/&gt;';

/** A RUNNING job with every field the registry fills, one line as JAXB writes it. */
const RUNNING_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><job id="4711" version="3" type="org.opencastproject.distribution.aws.s3" status="RUNNING" xmlns="http://job.opencastproject.org">' +
  '<creator>admin</creator><organization>mh_default_org</organization><url>https://presentation.example.org/services/job/4711.xml</url><operation>Retract</operation>' +
  `<args><arg>engage-player</arg><arg>${MP_ARG}</arg><arg>["presenter-delivery"]</arg></args>` +
  '<createdHost>https://presentation.example.org</createdHost><processingHost>https://s3dist.example.org</processingHost>' +
  '<dateCreated>2024-10-01T09:10:00.120Z</dateCreated><dateStarted>2024-10-01T09:10:02.480Z</dateStarted><dateCompleted>2024-10-01T09:10:41.007Z</dateCompleted>' +
  '<parentJobId>4700</parentJobId><rootJobId>4690</rootJobId><queueTime>2360</queueTime><runTime>38527</runTime>' +
  `<payload>${PAYLOAD}</payload><dispatchable>false</dispatchable><jobLoad>0.1</jobLoad></job>`;

describe('job XML echo for PUT /services/job', () => {
  it('writes a canonical registry job back byte for byte', () => {
    expect(serializeJob(parseJob(RUNNING_XML))).toBe(RUNNING_XML);
  });

  it('keeps every field of the pretty-printed spec §3.3 job', () => {
    const job = parseJob(QUEUED_PRETTY);
    const again = parseJob(serializeJob(job));
    expect(again).toEqual(job);
    expect(again).toMatchObject({
      id: '4711',
      version: 1,
      status: 'QUEUED',
      creator: 'admin',
      organization: 'mh_default_org',
      operation: 'Distribute',
      parentJobId: '4700',
      rootJobId: '4690',
      queueTime: 0,
      runTime: 0,
      dispatchable: true,
      jobLoad: 0.1,
    });
    expect(again.args).toHaveLength(4);
    expect(again.args?.[1]).toContain('<mediapackage xmlns=');
  });

  it('keeps dates with other offsets as the same instants', () => {
    const xml = RUNNING_XML.replace('2024-10-01T09:10:00.120Z', '2024-10-01T11:10:00.120+02:00');
    const written = serializeJob(parseJob(xml));
    expect(written).toBe(RUNNING_XML);
  });

  it('changes only status and processingHost when accepting, payload when finishing', () => {
    const job = parseJob(RUNNING_XML);
    const running = parseJob(serializeJob(asRunning(job, 'https://h.example.org:8443')));
    expect(running).toEqual({
      ...job,
      status: 'RUNNING',
      processingHost: 'https://h.example.org:8443',
    });
    const finished = parseJob(serializeJob(asFinished(running, 'a###b')));
    expect(finished).toEqual({ ...running, status: 'FINISHED', payload: 'a###b' });
    expect(parseJob(serializeJob(asFailed(job)))).toEqual({ ...job, status: 'FAILED' });
  });

  it('writes an empty payload as an empty element, not as none', () => {
    const job = asFinished(parseJob(QUEUED_PRETTY), '');
    expect(serializeJob(job)).toContain('<payload></payload>');
    expect(parseJob(serializeJob(job)).payload).toBe('');
  });
});
