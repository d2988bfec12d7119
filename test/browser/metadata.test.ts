// Timed metadata in a real browser, at IVS's size limit: hls.js (served by openivs, loaded in a blank page of another
// loopback origin, no openivs player code involved) plays a BASIC NORMAL TS channel and a BASIC LOW FRAGMENTED_MP4
// channel while PutMetadata sends exactly 1024 bytes of multi-byte UTF-8. The text must come back unchanged twice:
// in the raw ID3 bytes of Hls.Events.FRAG_PARSING_METADATA (decoded here with @svta/cml-id3) and as the TXXX value
// of a cue on hls.js's own metadata text track (hls.js's ID3 decoder). Shorter payloads through the built-in player
// page are covered by playback.test.ts (TS) and low-latency.test.ts (fMP4).

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CreateChannelCommand, PutMetadataCommand, type Channel } from '@aws-sdk/client-ivs';
import type { Page } from 'playwright-core';
import { useServer } from '../helpers/use-server.js';
import { publish, rtmpUrl, until, type Running } from '../helpers/live.js';
import { txxxFrames } from '../../devtools/id3-carriage.js';
import { utf8Payload } from '../helpers/metadata-payload.js';
import type { ErrorData, FragParsingMetadataData } from 'hls.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const PUBLISH_SECONDS = 40;

interface Created {
  channel: Channel;
  key: string;
}
interface Sample {
  type: string;
  pts: number;
  bytes: number[];
}
interface CueValue {
  key: string;
  info: string;
  data: unknown;
}
interface PageMeta {
  samples: Sample[];
  cues: CueValue[];
  errors: string[];
  currentTime: number;
}

/** Test pattern + tone, 640x360 H.264 at 800 kbit/s + AAC 96 kbit/s, to rtmp://…/app/<key>. */
const publish800 = (port: number, key: string): Running =>
  publish(rtmpUrl(port, key), { seconds: PUBLISH_SECONDS, videoKbps: 800, audioKbps: 96 });

/** Starts hls.js on `url` in the page; what it reports accumulates in window.__meta (read with readMeta). */
async function startHls(page: Page, url: string, lowLatency: boolean): Promise<void> {
  await page.evaluate(
    ({ src, low }: { src: string; low: boolean }) => {
      const meta = { samples: [] as unknown[], errors: [] as string[] };
      window.__meta = meta;
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      document.body.appendChild(video);
      const hls = new Hls({ lowLatencyMode: low, enableID3MetadataCues: true });
      hls.on(Hls.Events.FRAG_PARSING_METADATA, (_e: unknown, data: FragParsingMetadataData) => {
        for (const s of data.samples) meta.samples.push({ type: String(s.type), pts: s.pts, bytes: Array.from(s.data) });
      });
      hls.on(Hls.Events.ERROR, (_e: unknown, data: ErrorData) => {
        meta.errors.push(`${data.fatal ? 'fatal ' : ''}${data.details} (${data.response?.code ?? '-'})`);
        // The channel may not be live yet when the page starts: retry the manifest like a player would.
        if (data.fatal && data.type === Hls.ErrorTypes.NETWORK_ERROR) setTimeout(() => hls.loadSource(src), 1000);
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      window.__video = video;
    },
    { src: url, low: lowLatency },
  );
}

async function readMeta(page: Page): Promise<PageMeta> {
  return page.evaluate(() => {
    const cues: CueValue[] = [];
    const tracks = window.__video.textTracks;
    for (let i = 0; i < tracks.length; i++) {
      if (tracks[i].kind !== 'metadata' || !tracks[i].cues) continue;
      for (const cue of Array.from(tracks[i].cues as ArrayLike<{ value?: CueValue }>)) {
        if (cue.value) cues.push({ key: cue.value.key, info: cue.value.info, data: cue.value.data });
      }
    }
    return { samples: window.__meta.samples, cues, errors: window.__meta.errors, currentTime: window.__video.currentTime };
  });
}

describe('browser: hls.js receives 1 KB UTF-8 PutMetadata from TS and fMP4', { timeout: 90_000 }, () => {
  const { server, ivs, browser, blankPage } = useServer({ browser: true, blankPage: true });
  const channels = {} as Record<'ts' | 'fmp4', Created>;

  before(async () => {
    const create = async (name: string, latencyMode: 'LOW' | 'NORMAL', containerFormat: 'TS' | 'FRAGMENTED_MP4') => {
      const out = await ivs.send(
        new CreateChannelCommand({ name, type: 'BASIC', latencyMode, containerFormat, insecureIngest: true }),
      );
      return { channel: out.channel!, key: out.streamKey!.value! };
    };
    channels.ts = await create('meta-ts', 'NORMAL', 'TS');
    channels.fmp4 = await create('meta-fmp4', 'LOW', 'FRAGMENTED_MP4');
  });

  async function roundTrip(c: Created, label: string, lowLatency: boolean, sampleType: RegExp): Promise<void> {
    const publisher = publish800(server.rtmpPort, c.key);
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    let last: PageMeta | undefined;
    const detail = () =>
      `--- ${label}: page console ---\n${consoleLines.slice(-30).join('\n')}\n--- hls.js errors ---\n` +
      `${last?.errors.slice(-20).join('\n')}\n--- samples ---\n${JSON.stringify(last?.samples.map((s) => [s.type, s.pts, s.bytes.length]))}` +
      `\n--- server ---\n${server.logs().slice(-3000)}`;
    try {
      page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
      await page.goto(blankPage.url);
      await page.addScriptTag({ url: `${server.url}/_openivs/player/hls.min.js` });
      await startHls(page, c.channel.playbackUrl!, lowLatency);
      await until(`${label}: video playing`, async () => (last = await readMeta(page)).currentTime > 0.5, 30_000, detail);
      // Manifest 404s before the broadcast is up are expected (the page retries); count errors from here on.
      const errorsBeforeLive = last!.errors.length;

      // hls.js creates its <track kind=metadata> on the first ID3 sample and adds that cue at once; Chromium then
      // runs the src-less track's (failing) load, which empties its cue list. So the first cue of a session is lost
      // in Chromium whatever the stream: a warm-up tag takes that place (hls.js 1.7.4, Chromium in this image).
      const warmUp = `warm-up ${label} ${Math.random().toString(36).slice(2, 8)}`;
      await ivs.send(new PutMetadataCommand({ channelArn: c.channel.arn!, metadata: warmUp }));
      await until(
        `${label}: the warm-up tag in FRAG_PARSING_METADATA`,
        async () =>
          (last = await readMeta(page)).samples.some((s) => txxxFrames(Uint8Array.from(s.bytes)).some((f) => f.text === warmUp)),
        20_000,
        detail,
      );

      const text = utf8Payload(label);
      await ivs.send(new PutMetadataCommand({ channelArn: c.channel.arn!, metadata: text }));
      const match = (m: PageMeta) => ({
        samples: m.samples.filter((s) => txxxFrames(Uint8Array.from(s.bytes)).some((f) => f.text === text)),
        cues: m.cues.filter((cue) => cue.key === 'TXXX' && cue.data === text),
      });
      const found = await until(
        `${label}: the 1 KB text in FRAG_PARSING_METADATA and in a metadata cue`,
        async () => {
          const m = match((last = await readMeta(page)));
          return m.samples.length > 0 && m.cues.length > 0 ? m : undefined;
        },
        20_000,
        detail,
      );
      assert.ok(
        found.samples.every((s) => sampleType.test(s.type)),
        `${label}: sample types ${found.samples.map((s) => s.type).join(',')}`,
      );
      assert.equal(found.cues[0]!.info, '', `${label}: TXXX description`);
      assert.deepEqual(
        last!.errors.slice(errorsBeforeLive).filter((e) => e.startsWith('fatal')),
        [],
        `${label}: no fatal hls.js error once live`,
      );
      assert.ok(!publisher.done(), `${label}: the publisher was live throughout`);
      console.log(
        `# ${label}: 1024-byte text in ${found.samples.length} FRAG_PARSING_METADATA sample(s) ` +
          `(${found.samples[0]!.type}) and ${found.cues.length} cue(s)`,
      );
    } finally {
      await page.close().catch(() => undefined);
      await publisher.kill();
    }
  }

  it('NORMAL TS: ID3 PES → FRAG_PARSING_METADATA and a TXXX cue with the same 1 KB text', async () => {
    await roundTrip(channels.ts, 'TS', false, /id3/i);
  });

  it('LOW fMP4: emsg ID3 → FRAG_PARSING_METADATA and a TXXX cue with the same 1 KB text', async () => {
    await roundTrip(channels.fmp4, 'fMP4', true, /id3/i);
  });
});
