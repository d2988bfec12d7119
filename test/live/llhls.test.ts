// Low-latency HLS end to end, over HTTP against a live broadcast: a BASIC LOW TS channel is served as Apple LL-HLS
// (EXT-X-PART-INF, EXT-X-SERVER-CONTROL, parts with INDEPENDENT=YES at segment starts, EXT-X-PRELOAD-HINT, checked
// with hls-parser in strict mode), blocking playlist reload (_HLS_msn/_HLS_part held until the part exists, 400 for
// bad or too-far-ahead directives), the hinted part held until complete, delta updates (_HLS_skip=YES), parts that
// concatenate to their segment; a NORMAL channel stays plain HLS; a FRAGMENTED_MP4 LOW channel has EXT-X-MAP, an
// ftyp/moov init section that ffprobe reads with a segment, a PutMetadata emsg in the media, and ffmpeg plays it.
// Three publishers run at once (640x360, 1 Mbps: this machine has 2 cores); the its share them and run in order.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateChannelCommand, PutMetadataCommand, type Channel, type IvsClient } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { parseBoxes as topBoxes } from '../../devtools/bmff.js';
import { parseMediaPlaylist as parseMedia } from '../helpers/playlists.js';
import { useServer } from '../helpers/use-server.js';
import {
  firstVariantUrl,
  get,
  getMediaPlaylist,
  pollUntil,
  publish,
  rtmpUrl,
  run,
  waitForMultivariant,
  type MediaPlaylist,
  type Running,
} from '../helpers/live.js';

HLS.setOptions({ strictMode: true });

const PUBLISH_SECONDS = 20;
const TS_PACKET = 188;

type Segment = MediaPlaylist['segments'][number];
type Part = NonNullable<Segment['parts']>[number];

interface Created {
  channel: Channel;
  key: string;
}

async function createChannel(
  ivs: IvsClient,
  name: string,
  latencyMode: 'LOW' | 'NORMAL',
  containerFormat: 'TS' | 'FRAGMENTED_MP4',
): Promise<Created> {
  const out = await ivs.send(
    new CreateChannelCommand({ name, type: 'BASIC', latencyMode, containerFormat, insecureIngest: true }),
  );
  return { channel: out.channel!, key: out.streamKey!.value! };
}

/** Test pattern + tone, 640x360 H.264 at ~1 Mbps (keyframe every 2 s) + AAC, to rtmp://…/app/<key>. */
const publishLow = (port: number, key: string, seconds: number): Running =>
  publish(rtmpUrl(port, key), { seconds, videoKbps: 1000, audioKbps: 96 });

interface Bytes {
  status: number;
  headers: Headers;
  body: Buffer;
  ms: number;
}

async function getBytes(url: string, timeoutMs = 10_000): Promise<Bytes> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, ms: performance.now() - t0 };
}

/** The URL with query parameters added (keeps ?vs=). */
function withQuery(url: string, params: Record<string, string | number>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.href;
}

/** The (msn, part) of a part URI `<rendition>/<msn>.<part>.<ext>`. */
function partPosition(uri: string): { msn: number; part: number } {
  const m = /\/(\d+)\.(\d+)\.(ts|m4s)$/.exec(uri);
  assert.ok(m, `part URI ${uri}`);
  return { msn: Number(m[1]), part: Number(m[2]) };
}

/** The EXT-X-PRELOAD-HINT as hls-parser exposes it: the last part (hint: true) of the last, URI-less segment. */
function preloadHint(p: MediaPlaylist): Part {
  const last = p.segments[p.segments.length - 1];
  const hint = last?.parts?.[last.parts.length - 1];
  assert.ok(last && last.uri === '' && hint?.hint === true, 'the playlist ends with the segment in progress and its hinted part');
  return hint;
}

/** Every listed, complete part (hints excluded) by URI. */
function listedParts(p: MediaPlaylist): Part[] {
  return p.segments.flatMap((s) => (s.parts ?? []).filter((x) => !x.hint));
}

describe('live: low-latency HLS (LL-HLS) and fMP4', { timeout: 90_000 }, () => {
  const { server, ivs } = useServer();
  let low: Created;
  let fmp4: Created;
  let normal: Created;
  const publishers: Running[] = [];
  let lowMediaUrl: string;
  let fmp4MediaUrl: string;
  const tmp = mkdtempSync(join(tmpdir(), 'openivs-llhls-'));

  before(async () => {
    low = await createChannel(ivs, 'll-ts', 'LOW', 'TS');
    fmp4 = await createChannel(ivs, 'll-fmp4', 'LOW', 'FRAGMENTED_MP4');
    normal = await createChannel(ivs, 'normal-ts', 'NORMAL', 'TS');
    for (const c of [low, fmp4, normal]) publishers.push(publishLow(server.rtmpPort, c.key, PUBLISH_SECONDS));
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
  });

  const detail = () =>
    `--- server ---\n${server.logs().slice(-3000)}\n--- publishers ---\n` +
    publishers.map((p) => `${p.proc.exitCode ?? 'running'}`).join(', ');

  it('LOW TS: EXT-X-PART-INF, SERVER-CONTROL (CAN-BLOCK-RELOAD, PART-HOLD-BACK ≥ 3 × PART-TARGET), parts and a preload hint', async () => {
    const { playlist: master } = await waitForMultivariant(low.channel.playbackUrl!);
    lowMediaUrl = firstVariantUrl(low.channel.playbackUrl!, master);
    // Two complete segments, so that a finished segment's parts are listed next to the open one's.
    const { res, playlist } = await pollUntil(
      'two complete segments in the LOW playlist',
      async () => {
        const r = await getMediaPlaylist(lowMediaUrl);
        return r.playlist.segments.filter((s) => s.uri !== '').length >= 2 ? r : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const text = res.text;
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');

    const partInf = /^#EXT-X-PART-INF:PART-TARGET=([0-9.]+)$/m.exec(text);
    assert.ok(partInf, `EXT-X-PART-INF:\n${text}`);
    const control = /^#EXT-X-SERVER-CONTROL:(.*)$/m.exec(text);
    assert.ok(control, `EXT-X-SERVER-CONTROL:\n${text}`);
    assert.match(control[1]!, /(^|,)CAN-BLOCK-RELOAD=YES(,|$)/);
    const holdBack = /(^|,)PART-HOLD-BACK=([0-9.]+)(,|$)/.exec(control[1]!);
    assert.ok(holdBack, `PART-HOLD-BACK in ${control[1]}`);
    const partTarget = Number(partInf[1]);
    assert.ok(Math.abs(partTarget - 0.334) < 0.002, `PART-TARGET ${partTarget} (334 ms parts)`);
    assert.ok(Number(holdBack[2]) >= 3 * partTarget - 1e-9, `PART-HOLD-BACK ${holdBack[2]} ≥ 3 × ${partTarget}`);
    assert.match(text, /^#EXT-X-PART:DURATION=[0-9.]+,URI="source\/\d+\.\d+\.ts"(,INDEPENDENT=YES)?$/m);
    assert.match(text, /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="source\/\d+\.\d+\.ts"$/m);
    assert.doesNotMatch(text, /EXT-X-RENDITION-REPORT/, 'a BASIC channel has a single rendition, nothing to report');

    // hls-parser (strict mode: LL-HLS rules such as part durations ≤ PART-TARGET are enforced while parsing).
    assert.equal(playlist.partTargetDuration, partTarget);
    const llc = playlist.lowLatencyCompatibility as { canBlockReload?: boolean; canSkipUntil?: number; partHoldBack?: number };
    assert.ok(llc, 'lowLatencyCompatibility');
    assert.equal(llc.canBlockReload, true);
    assert.equal(llc.partHoldBack, Number(holdBack[2]));
    assert.ok(
      (llc.canSkipUntil ?? 0) >= 6 * playlist.targetDuration,
      `CAN-SKIP-UNTIL ${llc.canSkipUntil} ≥ 6 × ${playlist.targetDuration}`,
    );
    assert.deepEqual(playlist.prefetchSegments, [], 'no EXT-X-PREFETCH (that is LHLS, not LL-HLS)');
    const hint = preloadHint(playlist);
    assert.match(hint.uri, /^source\/\d+\.\d+\.ts$/);

    const withParts = playlist.segments.filter((s) => (s.parts ?? []).some((p) => !p.hint));
    assert.ok(
      withParts.some((s) => s.uri !== ''),
      `a complete segment lists its parts:\n${text}`,
    );
    for (const s of withParts) {
      const parts = s.parts.filter((p) => !p.hint);
      assert.equal(parts[0]!.independent, true, `first part of segment ${s.mediaSequenceNumber} is INDEPENDENT=YES:\n${text}`);
      parts.forEach((p, i) => {
        assert.deepEqual(
          partPosition(p.uri),
          { msn: s.mediaSequenceNumber, part: i },
          `part ${i} of segment ${s.mediaSequenceNumber}`,
        );
        assert.ok(p.duration! > 0 && p.duration! <= partTarget, `part ${p.uri} duration ${p.duration}`);
      });
      if (s.uri !== '') {
        const sum = parts.reduce((a, p) => a + p.duration!, 0);
        assert.ok(Math.abs(sum - s.duration) < 0.01, `parts of ${s.uri} add up to its EXTINF (${sum} vs ${s.duration})`);
      }
    }
    // The hint names the part after the newest listed one.
    const newest = partPosition(listedParts(playlist).at(-1)!.uri);
    const next = partPosition(hint.uri);
    assert.ok(
      (next.msn === newest.msn && next.part === newest.part + 1) || (next.msn === newest.msn + 1 && next.part === 0),
      `hint ${hint.uri} follows the newest part ${newest.msn}.${newest.part}`,
    );
  });

  it('LOW TS: a blocking reload for the next part is held until that part exists, then lists it', async () => {
    assert.ok(lowMediaUrl, 'needs the playlist of the test before');
    const { playlist } = await getMediaPlaylist(lowMediaUrl);
    // First block on the hinted part: its answer arrives right after a part completed, so the next request's
    // part is a full part duration away (a single request could race a part that completes just then).
    const first = partPosition(preloadHint(playlist).uri);
    const warm = await getBytes(withQuery(lowMediaUrl, { _HLS_msn: first.msn, _HLS_part: first.part }));
    assert.equal(warm.status, 200, warm.body.toString());
    const warmPlaylist = parseMedia(warm.body.toString());
    assert.ok(
      listedParts(warmPlaylist).some((p) => p.uri === `source/${first.msn}.${first.part}.ts`) ||
        warmPlaylist.segments.some((s) => s.mediaSequenceNumber > first.msn && s.uri !== ''),
      'the awaited part (or a later segment) is listed',
    );

    const target = partPosition(preloadHint(warmPlaylist).uri);
    const held = await getBytes(withQuery(lowMediaUrl, { _HLS_msn: target.msn, _HLS_part: target.part }));
    const text = held.body.toString();
    assert.equal(held.status, 200, text);
    assert.ok(held.ms > 50 && held.ms < 3000, `held ${held.ms.toFixed(0)} ms (expected > 50 ms, < 3 s)`);
    const answered = parseMedia(text);
    const uri = `source/${target.msn}.${target.part}.ts`;
    assert.ok(
      listedParts(answered).some((p) => p.uri === uri),
      `${uri} listed as a part in the held response:\n${text}`,
    );
    assert.notEqual(preloadHint(answered).uri, uri, 'the hint moved past the awaited part');
    console.log(`# blocking reload for ${target.msn}.${target.part}: answered after ${held.ms.toFixed(0)} ms`);
  });

  it('LOW TS: the hinted part, requested at once, is answered when complete (200, whole TS packets)', async () => {
    const { playlist } = await getMediaPlaylist(lowMediaUrl);
    const hintUrl = new URL(preloadHint(playlist).uri, lowMediaUrl).href;
    const part = await getBytes(hintUrl);
    assert.equal(part.status, 200, `${hintUrl}: ${part.body.toString().slice(0, 200)}`);
    assert.equal(part.headers.get('content-type'), 'video/mp2t');
    assert.ok(part.body.length > 0, 'non-empty part');
    assert.equal(part.body.length % TS_PACKET, 0, `${part.body.length} bytes is a whole number of TS packets`);
    assert.equal(part.body[0], 0x47, 'starts with a TS sync byte');
    for (let i = 0; i < part.body.length; i += TS_PACKET) assert.equal(part.body[i], 0x47, `sync byte at ${i}`);
    assert.ok(part.ms < 3000, `answered after ${part.ms.toFixed(0)} ms`);
    console.log(`# hinted part ${preloadHint(playlist).uri}: ${part.body.length} bytes after ${part.ms.toFixed(0)} ms`);
  });

  it('LOW TS: _HLS_msn too far ahead and _HLS_part without _HLS_msn → 400', async () => {
    const { playlist } = await getMediaPlaylist(lowMediaUrl);
    const next = partPosition(preloadHint(playlist).uri);
    const ahead = await get(withQuery(lowMediaUrl, { _HLS_msn: next.msn + 10 }));
    assert.equal(ahead.status, 400, ahead.text);
    const aheadPart = await get(withQuery(lowMediaUrl, { _HLS_msn: next.msn + 10, _HLS_part: 0 }));
    assert.equal(aheadPart.status, 400, aheadPart.text);
    const orphan = await get(withQuery(lowMediaUrl, { _HLS_part: 1 }));
    assert.equal(orphan.status, 400, orphan.text);
  });

  it('LOW TS: _HLS_skip=YES answers a playlist hls-parser accepts: a delta update (EXT-X-SKIP) or a full playlist', async () => {
    const full = (await getMediaPlaylist(lowMediaUrl)).playlist;
    const res = await get(withQuery(lowMediaUrl, { _HLS_skip: 'YES' }));
    assert.equal(res.status, 200, res.text);
    const delta = parseMedia(res.text);
    const skip = /^#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)/m.exec(res.text);
    if (skip) {
      assert.ok(Number(skip[1]) > 0, 'skips at least one segment');
      assert.equal(delta.skip, Number(skip[1]));
      assert.equal(delta.segments[0]!.mediaSequenceNumber, (delta.mediaSequenceBase ?? 0) + Number(skip[1]));
    } else {
      assert.equal(delta.skip ?? 0, 0);
      // A full playlist: the same window as a plain reload a moment earlier (or one segment later).
      assert.ok(
        Math.abs((delta.mediaSequenceBase ?? 0) - (full.mediaSequenceBase ?? 0)) <= 1,
        `media sequence ${delta.mediaSequenceBase} vs ${full.mediaSequenceBase}`,
      );
      assert.ok(delta.segments.filter((s) => s.uri !== '').length >= full.segments.filter((s) => s.uri !== '').length - 1);
    }
    console.log(
      `# _HLS_skip=YES: ${skip ? `EXT-X-SKIP of ${skip[1]} segments` : 'full playlist (window shorter than CAN-SKIP-UNTIL)'}`,
    );
  });

  it('LOW TS: the parts of a finished segment concatenate to the segment bytes', async () => {
    const { playlist } = await getMediaPlaylist(lowMediaUrl);
    const done = playlist.segments.filter((s) => s.uri !== '' && (s.parts ?? []).length > 0);
    assert.ok(done.length > 0, 'a complete segment with its parts listed');
    const seg = done[done.length - 1]!;
    const whole = await getBytes(new URL(seg.uri, lowMediaUrl).href);
    assert.equal(whole.status, 200);
    const parts = await Promise.all(seg.parts.map((p) => getBytes(new URL(p.uri, lowMediaUrl).href)));
    parts.forEach((p, i) => assert.equal(p.status, 200, `part ${i}`));
    const joined = Buffer.concat(parts.map((p) => p.body));
    assert.equal(
      joined.length,
      whole.body.length,
      `${seg.parts.length} parts: ${joined.length} bytes vs segment ${whole.body.length}`,
    );
    assert.ok(joined.equals(whole.body), `parts of ${seg.uri} concatenated equal the segment`);
  });

  it('NORMAL: plain HLS, no EXT-X-PART / PART-INF / PRELOAD-HINT', async () => {
    const { playlist: master } = await waitForMultivariant(normal.channel.playbackUrl!);
    const url = firstVariantUrl(normal.channel.playbackUrl!, master);
    const { res, playlist } = await getMediaPlaylist(url);
    assert.ok(playlist.segments.length > 0, res.text);
    assert.doesNotMatch(res.text, /EXT-X-PART|EXT-X-PRELOAD-HINT|EXT-X-SERVER-CONTROL/, res.text);
    assert.equal(playlist.partTargetDuration, undefined);
    assert.ok(playlist.segments.every((s) => (s.parts ?? []).length === 0));
  });

  it('LOW fMP4: EXT-X-MAP, an ftyp/moov init.mp4, .m4s parts and segments', async () => {
    const { playlist: master } = await waitForMultivariant(fmp4.channel.playbackUrl!);
    fmp4MediaUrl = firstVariantUrl(fmp4.channel.playbackUrl!, master);
    const { res, playlist } = await pollUntil(
      'a complete segment in the fMP4 playlist',
      async () => {
        const r = await getMediaPlaylist(fmp4MediaUrl);
        return r.playlist.segments.some((s) => s.uri !== '') ? r : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.match(res.text, /^#EXT-X-MAP:URI="source\/init\.mp4"$/m);
    assert.match(res.text, /^#EXT-X-PART:DURATION=[0-9.]+,URI="source\/\d+\.\d+\.m4s"/m);
    assert.match(res.text, /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="source\/\d+\.\d+\.m4s"$/m);
    assert.match(res.text, /^source\/\d+\.m4s$/m);
    const first = playlist.segments[0]!;
    assert.equal(first.map?.uri, 'source/init.mp4');

    const init = await getBytes(new URL('source/init.mp4', fmp4MediaUrl).href);
    assert.equal(init.status, 200);
    assert.equal(init.headers.get('content-type'), 'video/mp4');
    const boxes = topBoxes(init.body).map((b) => b.type);
    assert.equal(boxes[0], 'ftyp', `first box of init.mp4: ${boxes.join(', ')}`);
    assert.ok(boxes.includes('moov'), `init.mp4 has moov: ${boxes.join(', ')}`);
    assert.ok(!boxes.includes('moof') && !boxes.includes('mdat'), `init.mp4 has no media: ${boxes.join(', ')}`);

    const seg = playlist.segments.find((s) => s.uri !== '')!;
    const media = await getBytes(new URL(seg.uri, fmp4MediaUrl).href);
    assert.equal(media.status, 200);
    const segBoxes = topBoxes(media.body).map((b) => b.type);
    assert.ok(segBoxes.includes('moof') && segBoxes.includes('mdat'), `segment boxes: ${segBoxes.join(', ')}`);

    // ffprobe init + segment, concatenated in a file.
    const file = join(tmp, 'init-plus-segment.mp4');
    writeFileSync(file, Buffer.concat([init.body, media.body]));
    const probe = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]).exited;
    assert.equal(probe.code, 0, `ffprobe: ${probe.stderr}`);
    const streams = (JSON.parse(probe.stdout).streams ?? []) as Array<Record<string, unknown>>;
    const v = streams.find((s) => s.codec_type === 'video');
    const a = streams.find((s) => s.codec_type === 'audio');
    assert.deepEqual(v && [v.codec_name, v.width, v.height], ['h264', 640, 360], probe.stdout);
    assert.equal(a?.codec_name, 'aac', probe.stdout);
  });

  it('LOW fMP4: PutMetadata reaches the media as an emsg box (ID3) in a later part', async () => {
    const tag = `llhls-emsg-${Math.random().toString(36).slice(2, 8)}`;
    const { playlist } = await getMediaPlaylist(fmp4MediaUrl);
    const from = partPosition(preloadHint(playlist).uri);
    await ivs.send(new PutMetadataCommand({ channelArn: fmp4.channel.arn!, metadata: tag }));
    const seen = new Set<string>();
    const found = await pollUntil(
      'an emsg with the PutMetadata text in a part',
      async () => {
        const { playlist: p } = await getMediaPlaylist(fmp4MediaUrl);
        for (const part of listedParts(p)) {
          const pos = partPosition(part.uri);
          if (seen.has(part.uri) || pos.msn < from.msn || (pos.msn === from.msn && pos.part < from.part)) continue;
          seen.add(part.uri);
          const body = (await getBytes(new URL(part.uri, fmp4MediaUrl).href)).body;
          if (topBoxes(body).some((b) => b.type === 'emsg') && body.includes(Buffer.from(tag))) return part.uri;
        }
        return undefined;
      },
      { timeoutMs: 8000, intervalMs: 300 },
    );
    console.log(`# PutMetadata emsg found in ${found}`);
  });

  it('LOW fMP4: ffmpeg reads 4 s of the playlist without error', async () => {
    assert.ok(publishers[1] && !publishers[1].done(), `the fMP4 publisher is still live\n${detail()}`);
    const res = await run('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-rw_timeout',
      '5000000',
      '-i',
      fmp4.channel.playbackUrl!,
      '-t',
      '4',
      '-f',
      'null',
      '-',
    ]).exited;
    assert.equal(res.code, 0, `ffmpeg exited ${res.code}: ${res.stderr}`);
    assert.equal(res.stderr.trim(), '', 'no errors');
  });
});
