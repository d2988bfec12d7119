// Stream takeover with real clients: a backup ffmpeg asking for a higher `priority` (RTMP publish name
// `<key>?priority=N`; SRT stream id `<key>?priority=N`) replaces the live publisher without ending the stream —
// hls.js in Chromium keeps playing across the switch (currentTime advances before and after, the longest stall is
// bounded loosely), the same streamId and session go on, the replaced publisher is disconnected, the media
// sequence keeps counting, and `Stream Takeover` arrives by webhook and in GetStreamSession's truncatedEvents.
// Every refusal: no priority (refused as before any takeover existed), a priority equal, lower or not a number
// (StreamTakeoverInvalidPriority), a different resolution (StreamTakeoverMediaMismatch), and past the attempts
// limit (StreamTakeoverLimitBreached), each with `Stream Takeover Failure` and its code.
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the tests' TypeScript has no DOM lib */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  ListStreamSessionsCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import {
  get,
  pollUntil,
  publish,
  rtmpUrl,
  run,
  sleep,
  waitForMultivariant,
  type ReceivedEvent,
  type Running,
} from '../helpers/live.js';
import { srtUrl } from '../helpers/srt-publishers.js';

declare const window: any;
declare const document: any;
declare const Hls: any;

const STATE = 'IVS Stream State Change';

/** ffmpeg encoding the test pattern live as MPEG-TS to an SRT URL. */
function publishSrt(url: string, seconds: number, size = '640x360'): Running {
  return run('ffmpeg', [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=30`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-g',
    '60',
    '-c:a',
    'aac',
    '-f',
    'mpegts',
    url,
  ]);
}

describe('stream takeover', { timeout: 240_000 }, () => {
  const { server, ivs, hook, browser, blankPage } = useServer({
    srt: true,
    webhook: true,
    browser: true,
    blankPage: true,
  });

  const createChannel = async (name: string, insecureIngest = true): Promise<{ channel: Channel; key: string }> => {
    const out = await ivs.send(new CreateChannelCommand({ name, type: 'BASIC', latencyMode: 'LOW', insecureIngest }));
    return { channel: out.channel!, key: out.streamKey!.value! };
  };
  const stateEvents = (streamId: string, name: string): ReceivedEvent[] =>
    hook
      .unique()
      .filter(
        (e) => e.detailType === STATE && e.envelope?.detail?.stream_id === streamId && e.envelope.detail.event_name === name,
      );
  const liveStreamId = async (arn: string): Promise<string> => {
    const { stream } = await ivs.send(new GetStreamCommand({ channelArn: arn }));
    return stream!.streamId!;
  };
  const sessionEvents = async (arn: string, streamId: string) => {
    const { streamSession } = await ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId }));
    return streamSession!.truncatedEvents ?? [];
  };
  const mediaSequence = async (playbackUrl: string): Promise<{ sequence: number; end: number }> => {
    const master = HLS.parse((await get(playbackUrl)).text) as HLS.types.MasterPlaylist;
    const variant = new URL(master.variants[0]!.uri, playbackUrl).toString();
    const media = HLS.parse((await get(variant)).text) as HLS.types.MediaPlaylist;
    return {
      sequence: media.mediaSequenceBase ?? 0,
      end: (media.mediaSequenceBase ?? 0) + media.segments.length,
    };
  };

  it('RTMP: a higher-priority backup takes over; hls.js keeps playing; same stream id and session', async () => {
    const { channel, key } = await createChannel('takeover-rtmp');
    const arn = channel.arn!;
    const primary = publish(rtmpUrl(server.rtmpPort, `${key}?priority=1`), { seconds: 60 });
    let backup: Running | undefined;
    const page = await browser.newPage();
    try {
      await waitForMultivariant(channel.playbackUrl!);
      const streamId = await liveStreamId(arn);
      await page.goto(blankPage.url);
      await page.addScriptTag({ url: `${server.url}/_openivs/player/hls.min.js` });
      await page.evaluate((src: string) => {
        const state = { errors: [] as string[], currentTime: 0, longestStallS: 0, lastAdvance: 0, started: false };
        window.__state = state;
        const video = document.createElement('video');
        video.muted = true;
        document.body.appendChild(video);
        const hls = new Hls({ lowLatencyMode: true });
        hls.on(Hls.Events.ERROR, (_e: unknown, data: any) => state.errors.push(`${data.fatal ? 'fatal ' : ''}${data.details}`));
        // Sampled on a timer rather than on timeupdate, so a stall shows up while it lasts.
        window.setInterval(() => {
          const now = Date.now();
          if (video.currentTime > state.currentTime) {
            if (state.started) state.longestStallS = Math.max(state.longestStallS, (now - state.lastAdvance) / 1000);
            state.started = true;
            state.lastAdvance = now;
            state.currentTime = video.currentTime;
          } else if (state.started) {
            state.longestStallS = Math.max(state.longestStallS, (now - state.lastAdvance) / 1000);
          }
        }, 100);
        hls.loadSource(src);
        hls.attachMedia(video);
        void video.play().catch(() => undefined);
      }, channel.playbackUrl!);
      const player = () =>
        page.evaluate(() => window.__state) as Promise<{ errors: string[]; currentTime: number; longestStallS: number }>;
      await pollUntil('hls.js playing the primary', async () => (await player()).currentTime >= 3, { timeoutMs: 30_000 });
      const before = await mediaSequence(channel.playbackUrl!);
      const atSwitch = (await player()).currentTime;

      backup = publish(rtmpUrl(server.rtmpPort, `${key}?priority=2`), { seconds: 60 });
      await pollUntil('the Stream Takeover event', async () => stateEvents(streamId, 'Stream Takeover').length === 1, {
        timeoutMs: 20_000,
      });
      const primaryExit = await Promise.race([primary.exited, sleep(10_000).then(() => null)]);
      assert.ok(primaryExit !== null, 'the replaced publisher was disconnected');
      assert.equal(backup.done(), false, 'the backup keeps publishing');

      await pollUntil('hls.js playing on after the takeover', async () => (await player()).currentTime >= atSwitch + 8, {
        timeoutMs: 30_000,
      });
      const played = await player();
      assert.deepEqual(
        played.errors.filter((e) => e.startsWith('fatal')),
        [],
        'no fatal hls.js error across the switch',
      );
      assert.ok(played.longestStallS < 6, `longest stall ${played.longestStallS} s`);
      console.log(`# hls.js across the takeover: longest stall ${played.longestStallS.toFixed(1)} s`);

      assert.equal(await liveStreamId(arn), streamId, 'GetStream: the same stream id after the takeover');
      const after = await mediaSequence(channel.playbackUrl!);
      assert.ok(after.sequence >= before.sequence, `media sequence never went back (${before.sequence} → ${after.sequence})`);
      assert.ok(after.end > before.end + 2, `segments kept numbering on (${before.end} → ${after.end})`);
      const names = (await sessionEvents(arn, streamId)).map((e) => e.name);
      assert.ok(names.includes('Stream Takeover'), `truncatedEvents: ${names.join(', ')}`);
      assert.ok(!names.includes('Stream End'), 'the stream did not end');
      const sessions = await ivs.send(new ListStreamSessionsCommand({ channelArn: arn }));
      assert.equal(sessions.streamSessions!.length, 1, 'one session across the takeover');
    } finally {
      await page.close().catch(() => undefined);
      await primary.kill();
      await backup?.kill();
    }
  });

  it('refusals: no priority, invalid priority, media mismatch, then the attempts limit', async () => {
    const { channel, key } = await createChannel('takeover-refusals');
    const arn = channel.arn!;
    const primary = publish(rtmpUrl(server.rtmpPort, `${key}?priority=5`), { seconds: 90 });
    try {
      await waitForMultivariant(channel.playbackUrl!);
      const streamId = await liveStreamId(arn);
      const failures = () => stateEvents(streamId, 'Stream Takeover Failure').map((e) => e.envelope.detail.code as string);
      const refusedPublish = async (name: string, size?: string) => {
        const attempt = publish(rtmpUrl(server.rtmpPort, name), { seconds: 30, ...(size ? { size } : {}) });
        const exit = await Promise.race([attempt.exited, sleep(15_000).then(() => null)]);
        if (exit === null) await attempt.kill();
        assert.ok(exit !== null && exit.code !== 0, `publisher ${name.replace(key, '<key>')} was refused`);
      };

      await refusedPublish(key); // no takeover request: refused as always, and no takeover event
      await sleep(500);
      assert.deepEqual(failures(), [], 'a publisher without priority is no takeover attempt');

      await refusedPublish(`${key}?priority=5`);
      await refusedPublish(`${key}?priority=3`);
      await refusedPublish(`${key}?priority=high`);
      await pollUntil('three failure events', async () => failures().length === 3, { timeoutMs: 10_000 });
      assert.deepEqual(failures(), Array(3).fill('StreamTakeoverInvalidPriority'));

      await refusedPublish(`${key}?priority=9`, '320x180'); // accepted as a request, refused at its first keyframe
      await pollUntil('the media mismatch event', async () => failures().length === 4, { timeoutMs: 10_000 });
      assert.equal(failures()[3], 'StreamTakeoverMediaMismatch');

      await refusedPublish(`${key}?priority=4`); // the fifth attempt in the window: still judged on its priority
      await refusedPublish(`${key}?priority=100`); // the sixth: past the limit
      await pollUntil('the limit event', async () => failures().length === 6, { timeoutMs: 10_000 });
      assert.deepEqual(failures().slice(4), ['StreamTakeoverInvalidPriority', 'StreamTakeoverLimitBreached']);

      assert.equal(primary.done(), false, 'the primary kept publishing through every refusal');
      assert.equal(await liveStreamId(arn), streamId);
      assert.equal(stateEvents(streamId, 'Stream Takeover').length, 0);
      const recorded = (await sessionEvents(arn, streamId)).filter((e) => e.name === 'Stream Takeover Failure');
      assert.deepEqual(
        recorded.map((e) => e.code).sort(),
        [
          'StreamTakeoverInvalidPriority',
          'StreamTakeoverInvalidPriority',
          'StreamTakeoverInvalidPriority',
          'StreamTakeoverInvalidPriority',
          'StreamTakeoverLimitBreached',
          'StreamTakeoverMediaMismatch',
        ],
        'GetStreamSession truncatedEvents carry each failure with its code',
      );
    } finally {
      await primary.kill();
    }
  });

  it('SRT: a backup with streamid=<key>?priority=N takes over an encrypted SRT stream', async () => {
    const { channel, key } = await createChannel('takeover-srt', false);
    const arn = channel.arn!;
    const passphrase = channel.srt!.passphrase!;
    const url = (streamid: string) => srtUrl(server.srtPort!, { streamid, passphrase, pbkeylen: 32 });
    const primary = publishSrt(url(key), 60);
    let backup: Running | undefined;
    try {
      await waitForMultivariant(channel.playbackUrl!, 30_000);
      const streamId = await liveStreamId(arn);
      const before = await mediaSequence(channel.playbackUrl!);

      const plain = publishSrt(url(key), 20); // no takeover request: refused right after the handshake
      const plainExit = await Promise.race([plain.exited, sleep(15_000).then(() => null)]);
      if (plainExit === null) await plain.kill();
      assert.ok(plainExit !== null, 'an SRT publisher without priority was refused');

      backup = publishSrt(url(`${key}?priority=7`), 60);
      await pollUntil('the Stream Takeover event', async () => stateEvents(streamId, 'Stream Takeover').length === 1, {
        timeoutMs: 20_000,
      });
      const primaryExit = await Promise.race([primary.exited, sleep(10_000).then(() => null)]);
      assert.ok(primaryExit !== null, 'the replaced SRT publisher was disconnected');
      await sleep(6_000);
      assert.equal(backup.done(), false, 'the backup keeps publishing');
      assert.equal(await liveStreamId(arn), streamId, 'GetStream: the same stream id');
      const after = await mediaSequence(channel.playbackUrl!);
      assert.ok(after.end > before.end + 1, `segments kept coming (${before.end} → ${after.end})`);
      const read = await run('ffmpeg', [
        '-nostdin',
        '-loglevel',
        'error',
        '-i',
        channel.playbackUrl!,
        '-t',
        '3',
        '-f',
        'null',
        '-',
      ]).exited;
      assert.equal(read.code, 0, `ffmpeg reads the playback URL after the takeover: ${read.stderr}`);
    } finally {
      await primary.kill();
      await backup?.kill();
    }
  });
});
