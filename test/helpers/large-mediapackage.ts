/** URL prefix of the tracks in {@link largeMediapackage}. */
export const LARGE_MEDIAPACKAGE_SOURCE = 'http://opencast.test/files/';

/**
 * A mediapackage of about `targetBytes` characters: many full tracks, as an event with
 * thousands of renditions would have. Track ids are `track-0`, `track-1`, …
 */
export function largeMediapackage(targetBytes: number, id = 'mp-large'): string {
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${id}" start="2024-01-01T00:00:00Z">` +
    '<title>Large</title><media>';
  const tail = '</media></mediapackage>';
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const track =
      `<track id="track-${i}" type="presenter/source"><mimetype>video/mp4</mimetype>` +
      '<tags><tag>archive</tag><tag>engage</tag></tags>' +
      `<url>${LARGE_MEDIAPACKAGE_SOURCE}mediapackage/${id}/track-${i}/video.mp4</url>` +
      '<checksum type="md5">0123456789abcdef0123456789abcdef</checksum><duration>1000</duration>' +
      `<video id="video-${i}"><encoder type="H.264"/><resolution>1920x1080</resolution></video></track>`;
    if (size + track.length > targetBytes) break;
    parts.push(track);
    size += track.length;
  }
  parts.push(tail);
  return parts.join('');
}
