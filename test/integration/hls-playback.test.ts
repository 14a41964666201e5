/**
 * A real player's view: an HLS rendition made by ffmpeg (fMP4 in one file with byte
 * ranges, as Opencast's composer makes it) is distributed, then ffmpeg plays the published
 * master playlist through to the end from the S3 server. Needs ffmpeg on the PATH (.ci/run
 * installs it); skipped where it is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../src/opencast/element-xml.js';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

const run = promisify(execFile);
const hasFfmpeg = await run('ffmpeg', ['-version']).then(
  () => true,
  () => false,
);

let stack: TestStack | undefined;
let workdir = '';

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

beforeAll(async () => {
  if (!hasFfmpeg) return;
  workdir = await mkdtemp(join(tmpdir(), 'hls-'));
  // Two renditions of a 4 s test picture with sound, 2 s segments, one fMP4 file each.
  await run(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=4:size=320x180:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=4',
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'libx264',
      '-g',
      '25',
      '-c:a',
      'aac',
      '-s:v:1',
      '160x90',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_segment_type',
      'fmp4',
      '-hls_flags',
      'single_file',
      '-hls_playlist_type',
      'vod',
      '-master_pl_name',
      'master.m3u8',
      '-var_stream_map',
      'v:0,a:0 v:1,a:1',
      join(workdir, 'variant_%v.m3u8'),
    ],
    { timeout: 60_000 },
  );
  stack = await startTestStack();
  for (const name of await readdir(workdir)) {
    stack.sources.set(name, await readFile(join(workdir, name)));
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (workdir !== '') await rm(workdir, { recursive: true, force: true });
});

describe.skipIf(!hasFfmpeg)('HLS playback through the published URLs', () => {
  it('plays the distributed master playlist to the end', async () => {
    const base = live().sources.baseUrl;
    const track = (id: string, file: string, mimetype: string) =>
      `<track id="${id}" type="presenter/delivery"><mimetype>${mimetype}</mimetype>` +
      `<url>${base}${file}</url><logicalname>${file}</logicalname></track>`;
    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="play-mp"><media>' +
      track('master', 'master.m3u8', 'application/x-mpegURL') +
      track('v0', 'variant_0.m3u8', 'application/x-mpegURL') +
      track('v1', 'variant_1.m3u8', 'application/x-mpegURL') +
      track('s0', 'variant_0.m4s', 'video/mp4') +
      track('s1', 'variant_1.m4s', 'video/mp4') +
      '</media></mediapackage>';
    const res = await postForm(`${live().url}/distribution/s3/distributesync`, {
      channelId: 'engage-player',
      mediapackage,
      elementId: '["master","v0","v1","s0","s1"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const master = parseElementArray(await res.text()).find((e) => e.id === 'master');
    expect(master?.master).toBe(true);

    const { stderr } = await run(
      'ffmpeg',
      ['-v', 'error', '-i', master?.url ?? '', '-f', 'null', '-'],
      {
        timeout: 60_000,
      },
    );
    expect(stderr).toBe('');
    const probe = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name',
      '-of',
      'csv=p=0',
      master?.url ?? '',
    ]);
    expect(probe.stdout.split('\n').filter((l) => l !== '')).toEqual(
      expect.arrayContaining(['h264', 'aac']),
    );
  }, 120_000);
});
