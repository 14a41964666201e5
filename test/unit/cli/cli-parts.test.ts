import { describe, expect, it } from 'vitest';
import { formatBytes, progressLine } from '../../../src/cli/progress-line.js';
import { listLine, replayHeaders, routingKeyOf, summarize } from '../../../src/cli/parked.js';
import { elementIdsOf, formOf, routeOf } from '../../../src/cli/submit.js';
import { CliError } from '../../../src/cli/cli-error.js';
import type { ParkedMessageView } from '../../../src/messaging/parked-queue.js';

const MP =
  '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp1"><media>' +
  '<track id="t1" type="presenter/delivery"><url>http://s/v.mp4</url></track></media>' +
  '<metadata><catalog id="c1" type="dublincore/episode"><url>http://s/c.xml</url></catalog></metadata>' +
  '<publications><publication id="p1" channel="engage-player"><mimetype>text/html</mimetype>' +
  '<url>http://s/p</url></publication></publications></mediapackage>';

describe('progress line', () => {
  it('formats bytes for people', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(40 * 1024 * 1024)).toBe('40.0 MiB');
  });

  it('shows status, bar, percent, bytes and elements', () => {
    const progress = {
      bytesDone: 10 * 1024 * 1024,
      bytesTotal: 40 * 1024 * 1024,
      elementsDone: 0,
      elementsTotal: 2,
    };
    expect(progressLine({ id: '7', status: 'RUNNING', progress }, 8)).toBe(
      'job 7  RUNNING  [##------]   25%  10.0 MiB / 40.0 MiB  elements 0/2',
    );
    expect(progressLine({ id: '7', status: 'RUNNING', progress }, 0)).toBe(
      'job 7  RUNNING   25%  10.0 MiB / 40.0 MiB  elements 0/2',
    );
    expect(
      progressLine(
        { id: '7', status: 'RUNNING', progress: { ...progress, bytesTotal: undefined } },
        8,
      ),
    ).toBe('job 7  RUNNING  10.0 MiB  elements 0/2');
    expect(progressLine({ id: '7', status: 'QUEUED' }, 8)).toBe('job 7  QUEUED');
    // A retried element may report more than its declared total for a moment: capped.
    expect(
      progressLine(
        { id: '7', status: 'RUNNING', progress: { ...progress, bytesDone: 50 * 1024 * 1024 } },
        4,
      ),
    ).toContain('[####]  100%');
  });
});

describe('submit parts', () => {
  const submission = {
    operation: 'distribute' as const,
    mediapackage: MP,
    channel: 'engage-player',
    elements: [],
    checkAvailability: false,
  };

  it('defaults to every element but publications', () => {
    expect(elementIdsOf(submission)).toEqual(['t1', 'c1']);
    expect(elementIdsOf({ ...submission, elements: ['c1'] })).toEqual(['c1']);
  });

  it('refuses a mediapackage it cannot read, hostile XML included', () => {
    for (const xml of [
      'not xml',
      '<!DOCTYPE x [<!ENTITY a "b">]><mediapackage id="x"/>',
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="e"/>',
    ]) {
      expect(() => elementIdsOf({ ...submission, mediapackage: xml })).toThrow(CliError);
    }
  });

  it('sends the fields and routes Opencast uses', () => {
    const form = formOf(submission, ['t1']);
    expect(Object.fromEntries(form)).toEqual({
      channelId: 'engage-player',
      mediapackage: MP,
      elementId: '["t1"]',
      checkAvailability: 'false',
    });
    expect(formOf({ ...submission, operation: 'retract' }, ['t1']).has('checkAvailability')).toBe(
      false,
    );
    expect(routeOf('distribute', false)).toBe('/distribution/s3');
    expect(routeOf('distribute', true)).toBe('/distribution/s3/distributesync');
    expect(routeOf('retract', false)).toBe('/distribution/s3/retract');
    expect(routeOf('retract', true)).toBe('/distribution/s3/retractsync');
  });
});

describe('parked parts', () => {
  const parked: ParkedMessageView = {
    body: Buffer.from(JSON.stringify({ version: 1, type: 'retract', jobId: '99' })),
    messageId: '99',
    correlationId: 'c',
    replyTo: 'r',
    type: 'retract',
    contentType: 'application/json',
    headers: {
      'x-ocs3-error-code': 'DELIVERY_LIMIT',
      'x-ocs3-error-message': Buffer.from('Parked after\ntoo many deliveries'),
      'x-ocs3-routing-key': 'retract',
      'x-ocs3-dead-letter-reason': 'delivery_limit',
      'x-delivery-count': 2,
      'x-death': [{ count: 1 }],
      'x-first-death-queue': 'q',
      traceparent: '00-abc',
      flag: true,
    },
  };

  it('summarizes a parked message', () => {
    const summary = summarize(parked);
    expect(summary).toEqual({
      messageId: '99',
      jobId: '99',
      routingKey: 'retract',
      errorCode: 'DELIVERY_LIMIT',
      errorMessage: 'Parked after\ntoo many deliveries',
      deadLetterReason: 'delivery_limit',
      deliveryCount: 2,
      bytes: parked.body.length,
    });
    expect(listLine(0, summary)).toBe(
      '   1  99  job 99  retract  DELIVERY_LIMIT: Parked after too many deliveries',
    );
  });

  it('replays under the header, else the body type; never under another key', () => {
    expect(routingKeyOf(parked)).toBe('retract');
    const noHeader = { ...parked, headers: {} };
    expect(routingKeyOf(noHeader)).toBe('retract');
    expect(routingKeyOf({ ...parked, headers: { 'x-ocs3-routing-key': 'ocs3.work' } })).toBe(
      'retract',
    );
    expect(
      routingKeyOf({ ...noHeader, body: Buffer.from('{"type":"drop-everything"}') }),
    ).toBeUndefined();
    expect(routingKeyOf({ ...noHeader, body: Buffer.from('not json') })).toBeUndefined();
    expect(summarize({ ...noHeader, body: Buffer.from('not json') })).toMatchObject({
      jobId: undefined,
      routingKey: undefined,
      errorCode: undefined,
    });
  });

  it('keeps the own headers and drops the broker and parking ones', () => {
    expect(replayHeaders(parked)).toEqual({ traceparent: '00-abc', flag: true });
  });
});
