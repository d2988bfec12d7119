// One broadcast end to end over plain RTMP (insecureIngest BASIC channel): the HLS output while live
// (multivariant + media playlists, segments, headers, readable by ffprobe/ffmpeg), the stream APIs
// while live, and what remains after the publisher stops (ENDLIST, offline 404, the stream session).
// The its run in order and share one broadcast.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  ListStreamSessionsCommand,
  ListStreamsCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import { expectError } from '../helpers/assert.js';
import {
  firstVariantUrl,
  get,
  getMediaPlaylist,
  playlistEnd,
  pollUntil,
  publish,
  run,
  rtmpUrl,
  waitForMultivariant,
  type MediaPlaylist,
  type Running,
} from '../helpers/live.js';

const PUBLISH_SECONDS = 12;

describe('live: RTMP publish → HLS playback', { timeout: 120_000 }, () => {
  const { server, ivs } = useServer();
  let channel: Channel;
  let streamKey: string;
  let publisher: Running;
  let mediaUrl: string;
  let streamId: string;
  let publishStartedAt: number;
  let endedAtMs = 0;

  before(async () => {
    const out = await ivs.send(
      new CreateChannelCommand({ name: 'rtmp-playback', type: 'BASIC', latencyMode: 'NORMAL', insecureIngest: true }),
    );
    channel = out.channel!;
    streamKey = out.streamKey!.value!;
    publishStartedAt = Date.now();
    publisher = publish(rtmpUrl(server.rtmpPort, streamKey), { seconds: PUBLISH_SECONDS });
  });

  it('serves a multivariant playlist with one 640x360 H.264/AAC variant once the first segment exists', async () => {
    const { res, playlist } = await waitForMultivariant(channel.playbackUrl!);
    assert.ok(!publisher.done(), 'publisher still running when the playlist appeared');
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.ok(res.headers.get('access-control-allow-origin'), 'CORS header on the multivariant playlist');
    assert.ok(playlist.variants.length >= 1, 'at least one variant');
    const v = playlist.variants.find((x) => x.resolution?.width === 640 && x.resolution?.height === 360);
    assert.ok(v, `a 640x360 variant in:\n${res.text}`);
    assert.match(v.codecs ?? '', /avc1\.[0-9a-fA-F]{6}/, 'CODECS has avc1');
    assert.match(v.codecs ?? '', /mp4a\.40\.\d/, 'CODECS has mp4a');
    assert.ok(v.bandwidth > 0, 'BANDWIDTH');
    mediaUrl = firstVariantUrl(channel.playbackUrl!, playlist);
  });

  it('media playlist: ~2 s segments with EXT-X-PROGRAM-DATE-TIME, advancing while live', async () => {
    // Wait for at least three segments so durations are meaningful.
    const first = await pollUntil(
      'three segments',
      async () => {
        const m = await getMediaPlaylist(mediaUrl);
        return m.playlist.segments.length >= 3 ? m : undefined;
      },
      { timeoutMs: 15_000 },
    );
    const p: MediaPlaylist = first.playlist;
    assert.equal(p.endlist, false, 'no ENDLIST while live');
    assert.ok(p.targetDuration >= 2 && p.targetDuration <= 3, `TARGETDURATION ${p.targetDuration}`);
    assert.ok(p.segments.length <= 6, `window of at most 6 segments, got ${p.segments.length}`);
    for (const s of p.segments) {
      assert.ok(
        s.programDateTime instanceof Date && !Number.isNaN(s.programDateTime.getTime()),
        `EXT-X-PROGRAM-DATE-TIME on ${s.uri}\n${first.res.text}`,
      );
      assert.ok(s.duration >= 1.5 && s.duration <= 2.6, `EXTINF ~2 s, got ${s.duration} for ${s.uri}`);
      assert.ok(s.duration <= p.targetDuration + 0.5, 'EXTINF within TARGETDURATION (rounded)');
    }
    // Program date-times are wall-clock-ish and increase by the segment durations.
    const t0 = p.segments[0]!.programDateTime!.getTime();
    assert.ok(Math.abs(t0 - publishStartedAt) < 30_000, 'PDT near the publish time');
    for (let i = 1; i < p.segments.length; i++) {
      const prev = p.segments[i - 1]!;
      const delta = p.segments[i]!.programDateTime!.getTime() - prev.programDateTime!.getTime();
      assert.ok(Math.abs(delta - prev.duration * 1000) < 150, `PDT step ${delta} ms vs EXTINF ${prev.duration}`);
    }
    const end0 = playlistEnd(p);
    await pollUntil('the playlist to advance', async () => playlistEnd((await getMediaPlaylist(mediaUrl)).playlist) > end0, {
      timeoutMs: 8000,
    });
  });

  it('segments: video/mp2t, immutable cache-control, CORS; HEAD matches GET', async () => {
    const { playlist } = await getMediaPlaylist(mediaUrl);
    const seg = playlist.segments[playlist.segments.length - 1]!;
    const segUrl = new URL(seg.uri, mediaUrl).href;
    const res = await fetch(segUrl, { signal: AbortSignal.timeout(5000) });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp2t');
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.ok(res.headers.get('access-control-allow-origin'), 'CORS header on segments');
    assert.ok(body.length > 0 && body.length % 188 === 0, `whole TS packets, got ${body.length} bytes`);
    for (let off = 0; off < body.length; off += 188) assert.equal(body[off], 0x47, `sync byte at ${off}`);

    const head = await fetch(segUrl, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'video/mp2t');
    assert.equal(head.headers.get('content-length'), String(body.length), 'HEAD content-length = GET body length');
    assert.equal((await head.arrayBuffer()).byteLength, 0, 'HEAD has no body');

    const headMv = await fetch(channel.playbackUrl!, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    await headMv.arrayBuffer();
    assert.equal(headMv.status, 200, 'HEAD on the multivariant playlist');

    const missing = await get(new URL('999999.ts', segUrl).href);
    assert.equal(missing.status, 404, 'unknown segment is 404');
  });

  it('media playlist paths that nearly name the live rendition are 404 with the JSON error body', async () => {
    // A live rendition's playlist is found by comparing the path with the stream in place (no route expression):
    // only the exact path may match; every near miss must fall through to the general route and its 404.
    const url = new URL(mediaUrl);
    const parts = url.pathname.split('/'); // '', api, video, v1, <key>, <streamId>, <rendition>.m3u8
    assert.equal(parts.length, 7, url.pathname);
    const [prefix, streamId, rendition] = [parts.slice(0, 5).join('/'), parts[5]!, parts[6]!];
    const name = rendition.slice(0, -'.m3u8'.length);
    const misses = [
      `${prefix}/${streamId}x/${rendition}`,
      `${prefix}/${streamId}x${rendition}`, // one character where the slash belongs
      `${prefix}/${streamId.slice(0, -1)}/${rendition}`,
      `${prefix}/${streamId.slice(0, -1)}${streamId.endsWith('A') ? 'B' : 'A'}/${rendition}`, // same length
      `${prefix}/${streamId}/${name}x.m3u8`,
      `${prefix}/${streamId}/${name.slice(0, -1)}.m3u8`,
      `${prefix}/${streamId}/.m3u8`,
      `${prefix}/${streamId}//${rendition}`,
      `${prefix}//${streamId}/${rendition}`,
      `${prefix}/${streamId}/x/${rendition}`,
      `${prefix}/${streamId}/${name.toUpperCase()}.m3u8`,
      `${prefix.replace('channel.', 'Channel.')}/${streamId}/${rendition}`,
      `${prefix}x/${streamId}/${rendition}`,
    ];
    for (const miss of misses) {
      const res = await get(new URL(miss + url.search, url).href);
      assert.equal(res.status, 404, miss);
      const body = JSON.parse(res.text) as { error_code: number; type: string }[];
      assert.equal(body[0]?.type, 'error', miss);
    }
    assert.equal((await get(mediaUrl)).status, 200, 'the exact path');
  });

  it('ffprobe sees H.264 640x360 and AAC 48 kHz; ffmpeg reads 4 s of it', async () => {
    const probe = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', channel.playbackUrl!]).exited;
    assert.equal(probe.code, 0, `ffprobe failed: ${probe.stderr}`);
    const streams = (JSON.parse(probe.stdout) as { streams: Record<string, unknown>[] }).streams;
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    assert.ok(video, 'a video stream');
    assert.equal(video.codec_name, 'h264');
    assert.equal(video.width, 640);
    assert.equal(video.height, 360);
    assert.ok(audio, 'an audio stream');
    assert.equal(audio.codec_name, 'aac');
    assert.equal(audio.sample_rate, '48000');

    const read = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', channel.playbackUrl!, '-t', '4', '-f', 'null', '-'])
      .exited;
    assert.equal(read.code, 0, `ffmpeg read failed: ${read.stderr}`);
  });

  it('GetStream reports the stream LIVE with its fields; ListStreams includes it', async () => {
    const { stream } = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
    assert.ok(stream);
    assert.equal(stream.channelArn, channel.arn);
    assert.equal(stream.state, 'LIVE');
    assert.match(stream.streamId ?? '', /^st-[A-Za-z0-9]{23}$/);
    assert.equal(stream.playbackUrl, channel.playbackUrl);
    assert.ok(stream.startTime instanceof Date, 'startTime');
    assert.ok(Math.abs(stream.startTime.getTime() - publishStartedAt) < 15_000, 'startTime near the publish');
    assert.ok(['HEALTHY', 'STARVING', 'UNKNOWN'].includes(stream.health ?? ''), `health ${stream.health}`);
    assert.equal(typeof stream.viewerCount, 'number');
    streamId = stream.streamId!;

    const list = await ivs.send(new ListStreamsCommand({}));
    const s = list.streams?.find((x) => x.channelArn === channel.arn);
    assert.ok(s, 'ListStreams includes the live channel');
    assert.equal(s.streamId, streamId);
    assert.equal(s.state, 'LIVE');
    assert.ok(s.startTime instanceof Date);

    const live = await ivs.send(new GetStreamSessionCommand({ channelArn: channel.arn, streamId }));
    assert.equal(live.streamSession?.streamId, streamId);
    assert.equal(live.streamSession?.endTime, undefined, 'no endTime while live');
  });

  it('after the publisher ends: ENDLIST for a while, multivariant 404 JSON, session closed', async () => {
    const res = await publisher.exited;
    assert.equal(res.code, 0, `publisher exit: ${res.stderr}`);
    const endedAt = Date.now();

    const ended = await pollUntil(
      'EXT-X-ENDLIST',
      async () => {
        const m = await getMediaPlaylist(mediaUrl);
        return m.playlist.endlist ? m : undefined;
      },
      { timeoutMs: 10_000 },
    );
    assert.ok(ended.playlist.segments.length >= 1, 'segments kept with ENDLIST');
    const lastSeg = ended.playlist.segments[ended.playlist.segments.length - 1]!;
    const segRes = await get(new URL(lastSeg.uri, mediaUrl).href);
    assert.equal(segRes.status, 200, 'last segment still served after the end');

    const offline = await pollUntil(
      'multivariant 404',
      async () => {
        const r = await get(channel.playbackUrl!);
        return r.status === 404 ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );
    assert.match(offline.headers.get('content-type') ?? '', /application\/json/);
    const body = JSON.parse(offline.text) as { url: string; error: string; error_code: string; type: string }[];
    assert.ok(Array.isArray(body) && body.length === 1, offline.text);
    assert.equal(typeof body[0]!.error, 'string');
    assert.equal(typeof body[0]!.error_code, 'string');
    assert.equal(body[0]!.type, 'error');
    assert.equal(body[0]!.url, new URL(channel.playbackUrl!).pathname);

    await expectError(ivs.send(new GetStreamCommand({ channelArn: channel.arn })), 'ChannelNotBroadcasting', 404);
    const list = await ivs.send(new ListStreamsCommand({}));
    assert.equal(
      list.streams?.find((x) => x.channelArn === channel.arn),
      undefined,
      'ListStreams no longer lists it',
    );

    const { streamSession: ss } = await ivs.send(new GetStreamSessionCommand({ channelArn: channel.arn, streamId }));
    assert.ok(ss);
    assert.equal(ss.streamId, streamId);
    assert.ok(ss.startTime instanceof Date);
    assert.ok(ss.endTime instanceof Date, 'endTime set after the end');
    assert.ok(ss.endTime.getTime() >= ss.startTime.getTime(), 'endTime after startTime');
    assert.ok(ss.endTime.getTime() <= endedAt + 5000, 'endTime not in the future');
    assert.equal(ss.channel?.arn, channel.arn, 'channel snapshot');
    const video = ss.ingestConfiguration?.video;
    const audio = ss.ingestConfiguration?.audio;
    assert.match(video?.codec ?? '', /^avc1\./);
    assert.equal(video?.videoWidth, 640);
    assert.equal(video?.videoHeight, 360);
    assert.equal(audio?.sampleRate, 48000);
    assert.match(audio?.codec ?? '', /mp4a/);
    const names = (ss.truncatedEvents ?? []).map((e) => e.name);
    assert.ok(names.includes('Stream Start') || names.includes('Session Created'), `truncatedEvents: ${names.join(', ')}`);
    assert.ok(names.includes('Stream End') || names.includes('Session Ended'), `truncatedEvents: ${names.join(', ')}`);
    for (const e of ss.truncatedEvents ?? []) assert.ok(e.eventTime instanceof Date, 'eventTime');
    // Newest first.
    const times = (ss.truncatedEvents ?? []).map((e) => e.eventTime!.getTime());
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!, 'truncatedEvents newest first');

    const { streamSessions } = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
    const summary = streamSessions?.find((x) => x.streamId === streamId);
    assert.ok(summary, 'ListStreamSessions lists it');
    assert.ok(summary.endTime instanceof Date, 'summary endTime');
    assert.equal(summary.hasErrorEvent, false);

    endedAtMs = endedAt;
  });

  it('the ended media playlist keeps answering with ENDLIST for ~30 s', async () => {
    // Check repeatedly up to 25 s after the end: every answer must be 200 + ENDLIST.
    const until = endedAtMs + 25_000;
    let checks = 0;
    while (Date.now() < until) {
      const r = await get(mediaUrl);
      assert.equal(r.status, 200, `ended media playlist ${Math.round((Date.now() - endedAtMs) / 1000)} s after the end`);
      assert.equal((HLS.parse(r.text) as MediaPlaylist).endlist, true);
      checks++;
      await new Promise((res) => setTimeout(res, Math.min(5000, Math.max(0, until - Date.now()))));
    }
    assert.ok(checks >= 2);
  });
});
