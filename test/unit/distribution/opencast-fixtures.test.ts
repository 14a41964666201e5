/**
 * The planner against Opencast's own fixtures: the same assertions
 * AwsS3DistributionServiceImplTest makes (wire spec §9), with its bucket, base URL,
 * organization and channel.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { planDistribution } from '../../../src/distribution/distribute.js';
import { planRetract } from '../../../src/distribution/retract.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { parseMediaPackage } from '../../../src/opencast/mediapackage.js';
import { readFixture } from '../../helpers/fixtures.js';

const deps = {
  sources: { assertAllowed: () => undefined, open: () => Promise.reject(new Error('no I/O')) },
  targets: createTargetResolver(new Map(), {
    bucket: 'aws-bucket',
    baseUrl: 'http://XYZ.cloudfront.net/',
  }),
  logger: pino({ level: 'silent' }),
};

function command(fixture: string, elementIds: string[]) {
  return {
    version: 1 as const,
    type: 'distribute' as const,
    jobId: '1',
    organization: 'mh_default_org',
    channelId: 'channelId',
    mediapackage: readFixture(fixture),
    elementIds,
    checkAvailability: false,
  };
}

function distributedUrls(fixture: string): Map<string, string> {
  const mp = parseMediaPackage(readFixture(fixture));
  return new Map(mp.elements.map((e) => [e.id, e.url]));
}

describe("Opencast's distribution fixtures", () => {
  it('testDistributeElement: presenter-delivery goes where mediapackage_distributed.xml says', () => {
    const { plan } = planDistribution(command('mediapackage.xml', ['presenter-delivery']), deps);
    expect(plan[0]?.url).toBe(
      'http://XYZ.cloudfront.net/mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877/presenter-delivery/video-presenter-delivery.mp4',
    );
    expect(plan[0]?.key).toBe(
      'mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877/presenter-delivery/video-presenter-delivery.mp4',
    );
    expect(
      distributedUrls('mediapackage_distributed.xml').get('presenter-delivery-distributed'),
    ).toBe(plan[0]?.url);
  });

  it('every element of mediapackage_distributed.xml is planned at its URL', () => {
    const { plan } = planDistribution(
      command('mediapackage.xml', ['presenter-delivery', 'episode-dc', 'series-dc']),
      deps,
    );
    const expected = distributedUrls('mediapackage_distributed.xml');
    const planned = new Map(plan.map((p) => [`${p.element.id}-distributed`, p.url]));
    expect(planned.get('presenter-delivery-distributed')).toBe(
      expected.get('presenter-delivery-distributed'),
    );
    expect(planned.get('series-dc-distributed')).toBe(expected.get('series-dc-distributed'));
    // The fixture's episode catalog folder reads "episode-dce": a typo that Opencast's test
    // never compares. The element id is episode-dc, so that is the folder.
    expect(expected.get('episode-dc-distributed')).toContain('/episode-dce/');
    expect(planned.get('episode-dc-distributed')).toBe(
      'http://XYZ.cloudfront.net/mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877/episode-dc/episode-dublincore.xml',
    );
  });

  it('testDistributeHLSElement: tracks go where distributed_hls_mediapackage.xml says', () => {
    const { plan } = planDistribution(
      command('hls_mediapackage.xml', ['presenter-mp4', 'presenter-m3u8']),
      deps,
    );
    const expected = distributedUrls('distributed_hls_mediapackage.xml');
    for (const p of plan) expect(p.url).toBe(expected.get(p.element.id));
  });

  it('testRetractElements: retracting presenter-delivery-distributed removes its folder', () => {
    const { plan, target } = planRetract(
      {
        ...command('mediapackage_distributed.xml', ['presenter-delivery-distributed']),
        type: 'retract',
      },
      deps,
    );
    expect(target.bucket).toBe('aws-bucket');
    // Opencast deletes the one key; we delete its folder, which holds exactly that key.
    expect(plan[0]?.target.folder).toBe(
      'mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877/presenter-delivery/',
    );
  });
});
