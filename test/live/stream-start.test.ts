// "LIVE" means playable (issue 10, defect 8): an application that starts its players on `Stream Start` (as IVS's own
// samples do), or as soon as GetStream answers LIVE, must find a multivariant playlist that answers 200 and plays.
// A webhook receiver reacts to Stream Start at once: it fetches the multivariant playlist, asks GetStream, starts
// ffmpeg reading the playback URL and starts hls.js in Chromium on it; none of them may see an error, and both must
// play. Meanwhile a poller calls GetStream and, the moment it first says LIVE, fetches the multivariant playlist.
// Channels cover every pair of BASIC/STANDARD, TS/fMP4 and LOW/NORMAL (a 2^(3-1) design: four broadcasts, one at a
// time, since this machine has 2 cores and STANDARD runs a transcoder).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, DeleteChannelCommand, GetStreamCommand, ListStreamSessionsCommand } from '@aws-sdk/client-ivs';
import type { Browser, Page } from 'playwright-core';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import { get, pollUntil, publish, rtmpUrl, run, sleep, type Fetched, type Running } from '../helpers/live.js';
import type { ErrorData, ManifestParsedData } from 'hls.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Combo {
  type: 'BASIC' | 'STANDARD';
  containerFormat: 'TS' | 'FRAGMENTED_MP4';
  latencyMode: 'LOW' | 'NORMAL';
}

const COMBOS: Combo[] = [
  { type: 'BASIC', containerFormat: 'TS', latencyMode: 'LOW' },
  { type: 'BASIC', containerFormat: 'FRAGMENTED_MP4', latencyMode: 'NORMAL' },
  { type: 'STANDARD', containerFormat: 'TS', latencyMode: 'NORMAL' },
  { type: 'STANDARD', containerFormat: 'FRAGMENTED_MP4', latencyMode: 'LOW' },
];

/** What the Stream Start reaction saw. */
interface Reaction {
  multivariant: Fetched;
  getStream: { state?: string; error?: string };
  reader: Running;
  at: number;
}

interface PageState {
  errors: string[];
  playedS: number;
  width: number;
  height: number;
  levels: number;
}

/** A blank page of another origin with hls.js loaded, and a start function waiting to be called. */
async function preparePage(browser: Browser, blankUrl: string, hlsJs: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(blankUrl);
  await page.addScriptTag({ url: hlsJs });
  await page.evaluate(() => {
    window.__state = { errors: [], playedS: 0, width: 0, height: 0, levels: 0 };
    window.__start = (url: string, lowLatencyMode: boolean) => {
      const state = window.__state;
      const video = document.createElement('video');
      video.muted = true;
      document.body.appendChild(video);
      const hls = new Hls({ lowLatencyMode });
      hls.on(Hls.Events.ERROR, (_e: unknown, data: ErrorData) => {
        state.errors.push(`${data.fatal ? 'fatal ' : ''}${data.type}/${data.details} (${data.response?.code ?? '-'})`);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, (_e: unknown, data: ManifestParsedData) => {
        state.levels = data.levels.length;
      });
      let first: number | undefined;
      video.addEventListener('timeupdate', () => {
        if (first === undefined && video.currentTime > 0) first = video.currentTime;
        if (first !== undefined) state.playedS = video.currentTime - first;
        state.width = video.videoWidth;
        state.height = video.videoHeight;
      });
      hls.loadSource(url);
      hls.attachMedia(video);
      void video.play().catch(() => undefined);
    };
  });
  return page;
}

/** Reads the playback URL like a viewer's ffmpeg would: 3 s of decoded media, any error is fatal. */
const readWithFfmpeg = (url: string) =>
  run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-xerror', '-i', url, '-t', '3', '-f', 'null', '-']);

describe('live: Stream Start and LIVE mean playable', { timeout: 240_000 }, () => {
  let hook: Server;
  let hookUrl: string;
  /** Stream Start reactions by channel ARN, and the reaction to run on each. */
  const onStreamStart = new Map<string, (streamId: string) => void>();
  /** Every state-change event received: [stream id, event name, reason]. */
  const stateEvents: Array<[string, string, string | undefined]> = [];

  before(async () => {
    // The receiver reacts to Stream Start before it answers the delivery, as an application's handler would.
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (event['detail-type'] === 'IVS Stream State Change') {
          stateEvents.push([event.detail.stream_id, event.detail.event_name, event.detail.reason]);
        }
        if (event['detail-type'] === 'IVS Stream State Change' && event.detail?.event_name === 'Stream Start') {
          onStreamStart.get(event.resources?.[0])?.(event.detail.stream_id);
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  });
  const { server, ivs, browser, blankPage } = useServer({
    args: () => ['--event-webhook', hookUrl],
    browser: true,
    blankPage: true,
  });
  after(async () => {
    hook?.closeAllConnections();
    await new Promise((r) => hook?.close(r));
  });

  for (const combo of COMBOS) {
    const label = `${combo.type} ${combo.containerFormat} ${combo.latencyMode}`;
    it(`${label}: at Stream Start (and when GetStream first says LIVE) the playback URL answers and plays`, async () => {
      const created = await ivs.send(
        new CreateChannelCommand({ name: label.replace(/ /g, '-'), insecureIngest: true, ...combo }),
      );
      const arn = created.channel!.arn!;
      const playbackUrl = created.channel!.playbackUrl!;
      const page = await preparePage(browser, blankPage.url, `${server.url}/_openivs/player/hls.min.js`);
      const detail = () => `--- server ---\n${server.logs().slice(-3000)}`;
      let reaction: Reaction | undefined;
      const reacted = new Promise<Reaction>((resolve, reject) => {
        onStreamStart.set(arn, () => {
          // Everything at once, as an application would: no waiting, no retries.
          const reader = readWithFfmpeg(playbackUrl);
          const browserStarted = page.evaluate(([url, low]) => window.__start(url, low), [
            playbackUrl,
            combo.latencyMode === 'LOW',
          ] as const);
          const multivariant = get(playbackUrl);
          const stream = ivs.send(new GetStreamCommand({ channelArn: arn })).then(
            (out) => ({ state: out.stream?.state }),
            (err: Error) => ({ error: `${err.name}: ${err.message}` }),
          );
          Promise.all([multivariant, stream, browserStarted]).then(
            ([m, s]) => resolve((reaction = { multivariant: m, getStream: s, reader, at: Date.now() })),
            reject,
          );
        });
      });

      // The poller: the first time GetStream succeeds, the multivariant playlist must answer at once.
      let firstLive: { state?: string; multivariant: number } | undefined;
      let polling = true;
      const poller = (async () => {
        while (polling && !firstLive) {
          try {
            const out = await ivs.send(new GetStreamCommand({ channelArn: arn }));
            firstLive = { state: out.stream?.state, multivariant: (await get(playbackUrl)).status };
          } catch (err) {
            if ((err as Error).name !== 'ChannelNotBroadcasting') throw err;
            await sleep(50);
          }
        }
      })();

      const publishedAt = Date.now();
      const publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds: 20 });
      try {
        const seen = await Promise.race([
          reacted,
          sleep(20_000).then(() => {
            throw new Error(`no Stream Start within 20 s\n${detail()}`);
          }),
        ]);
        assert.equal(
          seen.multivariant.status,
          200,
          `multivariant playlist at Stream Start: ${seen.multivariant.status} ${seen.multivariant.text}`,
        );
        const master = HLS.parse(seen.multivariant.text);
        assert.ok(master.isMasterPlaylist && master.variants.length >= 1, seen.multivariant.text);
        if (combo.type === 'STANDARD') {
          // The ladder is there from the start, not only the source: an ABR player picks its rungs at load time.
          assert.ok(master.variants.length >= 2, `STANDARD ladder at Stream Start:\n${seen.multivariant.text}`);
        }
        assert.deepEqual(seen.getStream, { state: 'LIVE' }, 'GetStream at Stream Start');
        await poller;
        assert.deepEqual(firstLive, { state: 'LIVE', multivariant: 200 }, 'multivariant playlist when GetStream first said LIVE');

        const read = await Promise.race([seen.reader.exited, sleep(20_000).then(() => seen.reader.kill())]);
        assert.equal(read.code, 0, `ffmpeg reading the playback URL at Stream Start: ${read.stderr}\n${detail()}`);
        let state: PageState | undefined;
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline) {
          state = await page.evaluate(() => window.__state as PageState);
          if (state.errors.length > 0 || state.playedS >= 2) break;
          await sleep(200);
        }
        assert.deepEqual(state?.errors, [], `hls.js errors after starting at Stream Start\n${detail()}`);
        assert.ok(state.playedS >= 2, `hls.js played ${state.playedS} s of video: ${JSON.stringify(state)}`);
        console.log(
          `# ${label}: Stream Start handled ${seen.at - publishedAt} ms after ffmpeg started; ${master.variants.length} variants`,
        );
        assert.ok(state.width > 0 && state.height > 0, JSON.stringify(state));
      } finally {
        polling = false;
        await poller.catch(() => undefined);
        onStreamStart.delete(arn);
        await page.close().catch(() => undefined);
        await publisher.kill();
        if (reaction) await reaction.reader.kill();
      }
    });
  }

  it('a channel deleted while its stream is starting: the stream never goes LIVE and is dropped', async () => {
    const created = await ivs.send(
      new CreateChannelCommand({ name: 'deleted-while-starting', type: 'BASIC', insecureIngest: true }),
    );
    const arn = created.channel!.arn!;
    const publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds: 20 });
    try {
      // Session Created: the publish was accepted. Stream Start needs a whole segment of real-time media (2 s) more.
      const streamId = await pollUntil(
        'a stream session',
        async () => (await ivs.send(new ListStreamSessionsCommand({ channelArn: arn }))).streamSessions?.[0]?.streamId,
        { intervalMs: 50 },
      );
      await ivs.send(new DeleteChannelCommand({ arn })); // not LIVE yet: no ConflictException
      const ended = await Promise.race([publisher.exited, sleep(15_000).then(() => undefined)]);
      assert.ok(ended && ended.code !== 0, 'the publisher is disconnected');
      await pollUntil('Session Ended', () => stateEvents.some(([id, name]) => id === streamId && name === 'Session Ended'));
      const names = stateEvents
        .filter(([id]) => id === streamId)
        .map(([, name, reason]) => (reason ? `${name} (${reason})` : name));
      assert.deepEqual(names, ['Session Created', 'Stream Failure (The channel was deleted)', 'Session Ended']);
    } finally {
      await publisher.kill();
    }
  });
});
