import { describe, expect, it } from 'vitest';
import { jobToJson, parseJob, serializeJob } from '../../../src/opencast/job-xml.js';
import { JOB_STATUSES, type Job } from '../../../src/opencast/model.js';

const JOB_NS = 'http://job.opencastproject.org';
const MP_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><mediapackage xmlns="http://mediapackage.opencastproject.org" id="efd6e4df-63b6-49af-be5f-15f598778877"><media/><metadata/><attachments/><publications/></mediapackage>';

/** The new distribute job of spec §3.3. */
const QUEUED: Job = {
  id: '4711',
  version: 1,
  type: 'org.opencastproject.distribution.aws.s3',
  status: 'QUEUED',
  creator: 'admin',
  organization: 'mh_default_org',
  url: 'https://presentation.example.org/services/job/4711.xml',
  operation: 'Distribute',
  args: ['engage-player', MP_XML, '["presenter-delivery","episode-dc"]', 'true'],
  parentJobId: '4700',
  rootJobId: '4690',
  queueTime: 0,
  runTime: 0,
  dispatchable: true,
  jobLoad: 0.1,
};

const QUEUED_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><job id="4711" version="1" type="org.opencastproject.distribution.aws.s3" status="QUEUED" xmlns="http://job.opencastproject.org"><creator>admin</creator><organization>mh_default_org</organization><url>https://presentation.example.org/services/job/4711.xml</url><operation>Distribute</operation><args><arg>engage-player</arg><arg>&lt;?xml version="1.0" encoding="UTF-8" standalone="yes"?&gt;&lt;mediapackage xmlns="http://mediapackage.opencastproject.org" id="efd6e4df-63b6-49af-be5f-15f598778877"&gt;&lt;media/&gt;&lt;metadata/&gt;&lt;attachments/&gt;&lt;publications/&gt;&lt;/mediapackage&gt;</arg><arg>["presenter-delivery","episode-dc"]</arg><arg>true</arg></args><parentJobId>4700</parentJobId><rootJobId>4690</rootJobId><queueTime>0</queueTime><runTime>0</runTime><dispatchable>true</dispatchable><jobLoad>0.1</jobLoad></job>';

const PAYLOAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><catalog id="episode-dc" type="dublincore/episode" xmlns="http://mediapackage.opencastproject.org"><mimetype>text/xml</mimetype><tags/><url>http://x/a?b=1&amp;c=2</url></catalog>';

/** The same job after processing (spec §3.3, second sample). */
const FINISHED: Job = {
  ...QUEUED,
  version: 4,
  status: 'FINISHED',
  createdHost: 'https://presentation.example.org',
  processingHost: 'https://presentation.example.org',
  dateCreated: new Date('2024-10-01T09:10:00.120Z'),
  dateStarted: new Date('2024-10-01T09:10:02.480Z'),
  dateCompleted: new Date('2024-10-01T09:10:41.007Z'),
  queueTime: 2360,
  runTime: 38527,
  payload: `${PAYLOAD}###${PAYLOAD}`,
};

describe('serializeJob', () => {
  it('writes the spec §3.3 queued job exactly', () => {
    expect(serializeJob(QUEUED)).toBe(QUEUED_XML);
  });

  it('writes the finished job with dates in UTC with milliseconds and an escaped payload', () => {
    const xml = serializeJob(FINISHED);
    expect(xml).toContain(
      '</args><createdHost>https://presentation.example.org</createdHost><processingHost>https://presentation.example.org</processingHost><dateCreated>2024-10-01T09:10:00.120Z</dateCreated><dateStarted>2024-10-01T09:10:02.480Z</dateStarted><dateCompleted>2024-10-01T09:10:41.007Z</dateCompleted><parentJobId>4700</parentJobId>',
    );
    expect(xml).toContain(
      '<runTime>38527</runTime><payload>&lt;?xml version="1.0" encoding="UTF-8" standalone="yes"?&gt;&lt;catalog id="episode-dc"',
    );
    expect(xml).toContain('&lt;url&gt;http://x/a?b=1&amp;amp;c=2&lt;/url&gt;');
    expect(xml).toContain('&lt;/catalog&gt;###&lt;?xml');
    expect(xml).toMatch(
      /<\/payload><dispatchable>true<\/dispatchable><jobLoad>0\.1<\/jobLoad><\/job>$/,
    );
    expect(xml).not.toContain('\n');
  });

  it('omits absent fields but always writes dispatchable', () => {
    const minimal: Job = { id: '-1', version: 0, type: 't', status: 'FAILED', dispatchable: false };
    expect(serializeJob(minimal)).toBe(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><job id="-1" version="0" type="t" status="FAILED" xmlns="${JOB_NS}"><dispatchable>false</dispatchable></job>`,
    );
  });

  it('writes <args/> for an empty list, no wrapper when absent, <arg></arg> for an empty arg', () => {
    const base: Job = { id: '1', version: 1, type: 't', status: 'QUEUED', dispatchable: true };
    expect(serializeJob({ ...base, args: [] })).toContain('<args/>');
    expect(serializeJob(base)).not.toContain('args');
    expect(serializeJob({ ...base, args: [''] })).toContain('<args><arg></arg></args>');
  });

  it('escapes attributes and text like JAXB', () => {
    const job: Job = {
      id: '1',
      version: 1,
      type: 'a"<&>\nb',
      status: 'QUEUED',
      dispatchable: true,
      creator: `"q" 'a' <&>\r`,
    };
    const xml = serializeJob(job);
    expect(xml).toContain('type="a&quot;&lt;&amp;&gt;&#10;b"');
    expect(xml).toContain(`<creator>"q" 'a' &lt;&amp;&gt;&#13;</creator>`);
    expect(parseJob(xml)).toMatchObject({ type: job.type, creator: job.creator });
  });

  it('writes jobLoad as a Java float', () => {
    const base: Job = { id: '1', version: 1, type: 't', status: 'QUEUED', dispatchable: true };
    expect(serializeJob({ ...base, jobLoad: 1 })).toContain('<jobLoad>1.0</jobLoad>');
    expect(serializeJob({ ...base, jobLoad: 2.5 })).toContain('<jobLoad>2.5</jobLoad>');
  });

  it('writes each job its own jobLoad although it keeps the last one’s text', () => {
    const base: Job = { id: '1', version: 1, type: 't', status: 'QUEUED', dispatchable: true };
    const loads = [0.1, 0.1, 1, 0, -0, NaN, 0.1];
    expect(
      loads.map(
        (jobLoad) => /<jobLoad>(.*)<\/jobLoad>/.exec(serializeJob({ ...base, jobLoad }))?.[1],
      ),
    ).toEqual(['0.1', '0.1', '1.0', '0.0', '-0.0', 'NaN', '0.1']);
  });

  it.each([
    ['a non-numeric id', { id: 'abc' }],
    ['an id over the long range', { id: '9223372036854775808' }],
    ['an unknown status', { status: 'DONE' as Job['status'] }],
    ['a fractional version', { version: 1.5 }],
    ['a bad parent id', { parentJobId: '4x' }],
    ['an invalid date', { dateCreated: new Date(Number.NaN) }],
    ['a control character', { payload: 'a\u0000b' }],
  ])('refuses %s with INVALID_INPUT', (_name, change) => {
    expect(() => serializeJob({ ...QUEUED, ...change })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('parseJob', () => {
  it('reads back what serializeJob writes', () => {
    expect(parseJob(serializeJob(QUEUED))).toEqual({
      ...QUEUED,
      createdHost: undefined,
      processingHost: undefined,
      dateCreated: undefined,
      dateStarted: undefined,
      dateCompleted: undefined,
      payload: undefined,
    });
    const finished = parseJob(serializeJob(FINISHED));
    expect(finished).toMatchObject({ ...FINISHED, args: [...(FINISHED.args ?? [])] });
    expect(finished.payload).toBe(FINISHED.payload);
  });

  it.each(JOB_STATUSES)('round trips status %s', (status) => {
    const job: Job = {
      id: '9223372036854775807',
      version: 3,
      type: 't',
      status,
      dispatchable: false,
    };
    expect(parseJob(serializeJob(job))).toMatchObject({ status, id: job.id });
  });

  it('accepts a prefixed job namespace and any offset in dates', () => {
    const xml = `<j:job xmlns:j="${JOB_NS}" xmlns:ns2="http://serviceregistry.opencastproject.org" id=" 42 " version="2" type="t" status="RUNNING">
      <j:dateCreated>2024-10-01T12:00:00.123+02:00</j:dateCreated><j:dateStarted>2024-10-01T10:00:01Z</j:dateStarted>
      <j:args><j:arg>a</j:arg><j:arg/></j:args><j:dispatchable> true </j:dispatchable><j:jobLoad>1.0E-1</j:jobLoad>
    </j:job>`;
    expect(parseJob(xml)).toMatchObject({
      id: '42',
      status: 'RUNNING',
      dateCreated: new Date('2024-10-01T10:00:00.123Z'),
      dateStarted: new Date('2024-10-01T10:00:01.000Z'),
      args: ['a', ''],
      dispatchable: true,
      jobLoad: 0.1,
    });
  });

  it('ignores unqualified children and children in other namespaces', () => {
    const xml = `<job xmlns:j="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><creator>x</creator><j:operation>Retract</j:operation><o:payload xmlns:o="urn:o">p</o:payload></job>`;
    const job = parseJob(xml);
    expect(job.creator).toBeUndefined();
    expect(job.payload).toBeUndefined();
    expect(job.operation).toBe('Retract');
    expect(job.dispatchable).toBe(false);
  });

  it('does not check the root name, like JobParser', () => {
    expect(
      parseJob(`<anything xmlns="${JOB_NS}" id="7" version="1" type="t" status="WAITING"/>`).id,
    ).toBe('7');
  });

  it.each([
    ['a missing id', `<job xmlns="${JOB_NS}" version="1" type="t" status="QUEUED"/>`],
    ['a non-numeric id', `<job xmlns="${JOB_NS}" id="abc" version="1" type="t" status="QUEUED"/>`],
    ['a decimal id', `<job xmlns="${JOB_NS}" id="1.5" version="1" type="t" status="QUEUED"/>`],
    [
      'an id over the long range',
      `<job xmlns="${JOB_NS}" id="9223372036854775808" version="1" type="t" status="QUEUED"/>`,
    ],
    [
      'an id with 20 digits',
      `<job xmlns="${JOB_NS}" id="00000000000000000001" version="1" type="t" status="QUEUED"/>`,
    ],
    ['an unknown status', `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="queued"/>`],
    ['a missing status', `<job xmlns="${JOB_NS}" id="1" version="1" type="t"/>`],
    ['a missing version', `<job xmlns="${JOB_NS}" id="1" type="t" status="QUEUED"/>`],
    [
      'a bad date',
      `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><dateCreated>yesterday</dateCreated></job>`,
    ],
    [
      'a bad queue time',
      `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><queueTime>1e3</queueTime></job>`,
    ],
    [
      'a bad boolean',
      `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><dispatchable>yes</dispatchable></job>`,
    ],
    [
      'a bad job load',
      `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><jobLoad>light</jobLoad></job>`,
    ],
    [
      'a bad root job id',
      `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><rootJobId>x</rootJobId></job>`,
    ],
    [
      'two payloads',
      `<job xmlns="${JOB_NS}" id="1" version="1" type="t" status="QUEUED"><payload>a</payload><payload>b</payload></job>`,
    ],
  ])('refuses %s with XML_INVALID', (_name, xml) => {
    expect(() => parseJob(xml)).toThrow(expect.objectContaining({ code: 'XML_INVALID' }));
  });

  it('refuses hostile XML with the reader codes', () => {
    expect(() =>
      parseJob(`<!DOCTYPE job [<!ENTITY x SYSTEM "file:///etc/passwd">]><job>&x;</job>`),
    ).toThrow(expect.objectContaining({ code: 'XML_FORBIDDEN' }));
    expect(() => parseJob('<job id="1"')).toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED' }),
    );
  });
});

describe('jobToJson', () => {
  it('gives a plain object with ISO dates and no absent fields', () => {
    const json = jobToJson(FINISHED);
    expect(json).toMatchObject({
      id: '4711',
      status: 'FINISHED',
      dateCreated: '2024-10-01T09:10:00.120Z',
      jobLoad: 0.1,
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(
      Object.keys(
        jobToJson({ id: '1', version: 1, type: 't', status: 'QUEUED', dispatchable: true }),
      ),
    ).toEqual(['id', 'version', 'type', 'status', 'dispatchable']);
  });
});
