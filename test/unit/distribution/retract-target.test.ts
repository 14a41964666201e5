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
      legacyKey: undefined,
    });
  });

  it('still finds the folder after the base URL changed', () => {
    const url = `https://old-bucket.s3.amazonaws.com/mh_default_org/channelId/${mp}/e1/a.mp4`;
    expect(retractTarget(context, url, base).folder).toBe(`mh_default_org/channelId/${mp}/e1/`);
  });

  it('deletes the exact key of a URL written before Opencast 10 (no org segment)', () => {
    const url = `${base}channelId/${mp}/e1/a.mp4`;
    expect(retractTarget(context, url, base)).toEqual({
      folder: `mh_default_org/channelId/${mp}/presenter-delivery-distributed/`,
      foundBy: 'element-id',
      legacyKey: `channelId/${mp}/e1/a.mp4`,
    });
  });

  it("never reaches another mediapackage's folder with a crafted id/channel pair", () => {
    // mediapackage id "engage-player" in channel "mh_default_org": the legacy layout
    // channel/mp/x/ has the shape of the victim folder org/channel/VICTIM/.
    const crafted = {
      organization: 'mh_default_org',
      channelId: 'mh_default_org',
      mediaPackageId: 'engage-player',
      elementId: 'e1',
    };
    const url = `${base}mh_default_org/engage-player/VICTIM/x.mp4`;
    const target = retractTarget(crafted, url, base);
    expect(target.folder).toBe('mh_default_org/mh_default_org/engage-player/e1/');
    // The only other thing deleted is this exact 4-segment key, which no object of the
    // current layout (5 segments) can have.
    expect(target.legacyKey).toBe('mh_default_org/engage-player/VICTIM/x.mp4');
  });

  it('falls back to the element id for URLs of other mediapackages or channels', () => {
    for (const url of [
      `${base}mh_default_org/otherChannel/${mp}/e1/a.mp4`,
      `${base}mh_default_org/channelId/other-mp/e1/a.mp4`,
      `${base}other_org/channelId/${mp}/e1/a.mp4`,
      'not a url',
    ]) {
      expect(retractTarget(context, url, base)).toMatchObject({
        folder: `mh_default_org/channelId/${mp}/presenter-delivery-distributed/`,
        foundBy: 'element-id',
        legacyKey: undefined,
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
