import { describe, expect, it } from 'vitest';
import { retractTarget } from '../../../src/distribution/retract-target.js';

const mp = 'efd6e4df-63b6-49af-be5f-15f598778877';
const context = {
  organization: 'mh_default_org',
  channelId: 'channelId',
  mediaPackageId: mp,
  elementId: 'presenter-delivery-distributed',
};
const base = 'http://XYZ.cloudfront.net/';

describe('retractTarget', () => {
  it('takes the folder from the URL, not the re-identified element id (Opencast fixture)', () => {
    const url = `${base}mh_default_org/channelId/${mp}/presenter-delivery/video-presenter-delivery.mp4`;
    expect(retractTarget(context, url, base)).toEqual({
      folder: `mh_default_org/channelId/${mp}/presenter-delivery/`,
      foundBy: 'url',
    });
  });

  it('still finds the folder after the base URL changed', () => {
    const url = `https://old-bucket.s3.amazonaws.com/mh_default_org/channelId/${mp}/e1/a.mp4`;
    expect(retractTarget(context, url, base).folder).toBe(`mh_default_org/channelId/${mp}/e1/`);
  });

  it('finds keys written before Opencast 10 (no org segment) under the base', () => {
    const url = `${base}channelId/${mp}/e1/a.mp4`;
    expect(retractTarget(context, url, base)).toEqual({
      folder: `channelId/${mp}/e1/`,
      foundBy: 'base',
    });
  });

  it('falls back to the element id for URLs of other mediapackages or channels', () => {
    for (const url of [
      `${base}mh_default_org/otherChannel/${mp}/e1/a.mp4`,
      `${base}mh_default_org/channelId/other-mp/e1/a.mp4`,
      `${base}other_org/channelId/${mp}/e1/a.mp4`,
      'not a url',
    ]) {
      expect(retractTarget(context, url, base)).toEqual({
        folder: `mh_default_org/channelId/${mp}/presenter-delivery-distributed/`,
        foundBy: 'element-id',
      });
    }
  });

  it('never takes an unsafe folder name from the URL', () => {
    for (const folder of ['..', '%2e%2e', 'a%2Fb', '%zz']) {
      const url = `${base}mh_default_org/channelId/${mp}/${folder}/a.mp4`;
      expect(retractTarget(context, url, base).foundBy).toBe('element-id');
    }
  });
});
