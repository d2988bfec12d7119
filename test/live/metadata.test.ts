// PutMetadata read back from the published media with real parsers (test/helpers/id3-carriage.ts: a small TS demuxer
// and ISO-BMFF reader, @svta/cml-id3 for the ID3): a 1 KB multi-byte UTF-8 text comes back byte for byte as an ID3
// TXXX frame, (a) in MPEG-TS as a PES (stream id 0xBD) on the PMT's stream_type 0x15 PID of every rendition of a
// STANDARD channel (source + transcoded 160p30), and (b) in fMP4 as an emsg v1 box of a LOW channel; in both cases
// presented at a video time of the segment that carries it. The API errors around PutMetadata (offline, size,
// rate) are covered by test/api/streams.test.ts and test/live/events.test.ts.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, PutMetadataCommand, type Channel, type IvsClient } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import { getMediaPlaylist, pollUntil, publish, rtmpUrl, type MasterPlaylist, type Running } from '../helpers/live.js';
import { tsDeclaresId3, txxxFromFmp4, txxxFromTs, type FoundTxxx } from '../../devtools/id3-carriage.js';
import { utf8Payload } from '../helpers/metadata-payload.js';

const PUBLISH_SECONDS = 45;
/** One frame at 30 fps, in seconds: slack for a tag taken at the last frame before a fragment boundary. */
const ONE_FRAME_S = 0.034;

interface Created {
  channel: Channel;
  key: string;
}

async function createChannel(
  ivs: IvsClient,
  name: string,
  type: 'BASIC' | 'STANDARD',
  latencyMode: 'LOW' | 'NORMAL',
  containerFormat: 'TS' | 'FRAGMENTED_MP4',
): Promise<Created> {
  const out = await ivs.send(new CreateChannelCommand({ name, type, latencyMode, containerFormat, insecureIngest: true }));
  return { channel: out.channel!, key: out.streamKey!.value! };
}

/** 640x360 test pattern at ~1 Mbps + AAC: STANDARD makes a single 160p30 rung below it, cheap on 2 cores. */
const publish360 = (port: number, key: string): Running =>
  publish(rtmpUrl(port, key), { seconds: PUBLISH_SECONDS, videoKbps: 1000, audioKbps: 96 });

/** One past the newest complete segment (an LL-HLS playlist ends with the open segment's parts, which has no URI). */
async function completeEnd(mediaUrl: string): Promise<number> {
  const { playlist } = await getMediaPlaylist(mediaUrl);
  return (playlist.mediaSequenceBase ?? 0) + playlist.segments.filter((s) => s.uri).length;
}

async function bytes(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return body;
}

/** Media playlist URLs of every variant once the multivariant playlist lists at least `n`. */
async function renditionUrls(playbackUrl: string, n: number): Promise<string[]> {
  return pollUntil(
    `${n} variants in ${playbackUrl}`,
    async () => {
      const res = await fetch(playbackUrl, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      if (res.status !== 200) return undefined;
      const master = HLS.parse(text) as MasterPlaylist;
      return master.variants.length >= n ? master.variants.map((v) => new URL(v.uri, playbackUrl).href) : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 300 },
  );
}

/** Where a TXXX frame with `text` was found: the segment URL and the frame. */
interface Hit {
  segment: string;
  frame: FoundTxxx;
}

/**
 * Polls a rendition's media playlist from media sequence `fromMsn` on, reading each new whole segment with `read`,
 * until one carries a TXXX frame equal to `text`; returns every hit among the segments read.
 */
async function findInRendition(
  mediaUrl: string,
  fromMsn: number,
  text: string,
  read: (seg: Buffer, init: Buffer | undefined) => FoundTxxx[],
): Promise<Hit[]> {
  const seen = new Set<string>();
  const hits: Hit[] = [];
  let init: Buffer | undefined;
  await pollUntil(
    `the metadata in a segment of ${mediaUrl}`,
    async () => {
      const { playlist } = await getMediaPlaylist(mediaUrl);
      for (const [i, seg] of playlist.segments.entries()) {
        const msn = (playlist.mediaSequenceBase ?? 0) + i;
        if (!seg.uri) continue; // the LL-HLS segment still being written: parts only
        const url = new URL(seg.uri, mediaUrl).href;
        if (msn < fromMsn || seen.has(url)) continue;
        seen.add(url);
        if (seg.map && init === undefined) init = await bytes(new URL(seg.map.uri, mediaUrl).href);
        for (const frame of read(await bytes(url), init)) if (frame.text === text) hits.push({ segment: url, frame });
      }
      return hits.length > 0;
    },
    { timeoutMs: 20_000, intervalMs: 300 },
  );
  return hits;
}

function assertAtVideoTime(hit: Hit): void {
  const { pts, video } = hit.frame;
  assert.ok(video, `${hit.segment} has video samples`);
  assert.ok(Number.isFinite(pts), `${hit.segment}: the tag has a presentation time`);
  assert.ok(
    pts >= video.first - ONE_FRAME_S && pts <= video.last + ONE_FRAME_S,
    `${hit.segment}: tag at ${pts.toFixed(3)} s, video ${video.first.toFixed(3)}..${video.last.toFixed(3)} s`,
  );
}

describe('live: PutMetadata carried in the media', { timeout: 120_000 }, () => {
  const { server, ivs } = useServer({ args: ['--max-transcodes', '1'] });
  let standard: Created;
  let fmp4: Created;
  const publishers: Running[] = [];
  const detail = () => `--- server ---\n${server.logs().slice(-3000)}`;

  before(async () => {
    standard = await createChannel(ivs, 'meta-standard', 'STANDARD', 'NORMAL', 'TS');
    fmp4 = await createChannel(ivs, 'meta-fmp4', 'BASIC', 'LOW', 'FRAGMENTED_MP4');
    publishers.push(publish360(server.rtmpPort, standard.key), publish360(server.rtmpPort, fmp4.key));
  });

  it('STANDARD TS: the 1 KB UTF-8 text is an ID3 TXXX on the stream_type 0x15 PID of every rendition', async () => {
    const urls = await renditionUrls(standard.channel.playbackUrl!, 2);
    const starts = await Promise.all(urls.map(completeEnd));
    const text = utf8Payload('ts');
    await ivs.send(new PutMetadataCommand({ channelArn: standard.channel.arn!, metadata: text }));
    const results = await Promise.all(
      urls.map((u, i) =>
        findInRendition(u, starts[i]!, text, (seg) => {
          assert.ok(tsDeclaresId3(seg), `the PMT of every segment declares the ID3 stream (${u})\n${detail()}`);
          return txxxFromTs(seg);
        }),
      ),
    );
    for (const [i, hits] of results.entries()) {
      assert.equal(hits.length, 1, `exactly one copy in rendition ${urls[i]}: ${hits.map((h) => h.segment).join(', ')}`);
      const { frame } = hits[0]!;
      assert.equal(Buffer.byteLength(frame.text, 'utf8'), 1024);
      assert.equal(frame.description, '');
      assert.equal(frame.streamId, 0xbd, 'private_stream_1');
      assertAtVideoTime(hits[0]!);
    }
    console.log(
      `# TS: found in ${urls.length} renditions: ${results.map((h) => h[0]!.segment.split('/').slice(-2).join('/')).join(', ')}`,
    );
  });

  it('LOW fMP4: the 1 KB UTF-8 text is an ID3 TXXX in an emsg v1 box, at a video time of its segment', async () => {
    const [url] = await renditionUrls(fmp4.channel.playbackUrl!, 1);
    const start = await completeEnd(url!);
    const text = utf8Payload('fmp4');
    await ivs.send(new PutMetadataCommand({ channelArn: fmp4.channel.arn!, metadata: text }));
    const hits = await findInRendition(url!, start, text, (seg, init) => {
      assert.ok(init, 'the fMP4 playlist has an EXT-X-MAP init section');
      return txxxFromFmp4(seg, init);
    });
    assert.equal(hits.length, 1, `exactly one copy: ${hits.map((h) => h.segment).join(', ')}`);
    assert.equal(hits[0]!.frame.description, '');
    assertAtVideoTime(hits[0]!);
    for (const p of publishers) assert.ok(!p.done(), `publisher still live (exit ${p.proc.exitCode})`);
  });
});
