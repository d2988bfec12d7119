// InsertAdBreak end to end: ffmpeg publishes to a STANDARD TS channel with an ad configuration (640x360 in: the
// source and a 160p30 rung), InsertAdBreak answers an adBreakId, and every rendition's media playlist then signals
// the break. hls-parser (a strict RFC 8216 parser) reads EXT-X-DATERANGE with SCTE35-OUT/SCTE35-IN and the
// EXT-X-CUE-OUT/CUE-OUT-CONT/CUE-IN markers; the SCTE-35 bytes are decoded here field by field (splice_insert,
// out-of-network flag, break duration, CRC-32). hls.js in Chromium, loaded from openivs in a page of another origin,
// lists the break in LevelDetails.dateRanges with its duration.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateAdConfigurationCommand, CreateChannelCommand, InsertAdBreakCommand } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import { get, pollUntil, publish, rtmpUrl, until } from '../helpers/live.js';
import { renditionName, waitForVariants } from '../helpers/ladder.js';
import { ACCOUNT, REGION } from '../helpers/assert.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const BREAK_SECONDS = 4;

/** MPEG-2 CRC-32 (the one SCTE-35 and PSI sections end with). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

/** Decodes the fields of a splice_info_section carrying splice_insert that a stitcher relies on. */
function decodeSpliceInsert(value: unknown) {
  // hls-parser hands a hexadecimal-sequence attribute over as its bytes.
  assert.ok(value instanceof Uint8Array || value instanceof ArrayBuffer, `SCTE35 attribute decoded to bytes: ${String(value)}`);
  const b = Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value);
  assert.equal(b[0], 0xfc, 'table_id');
  const sectionLength = b.readUInt16BE(1) & 0x0fff;
  assert.equal(b.length, 3 + sectionLength, 'section_length');
  assert.equal(crc32(b.subarray(0, b.length - 4)), b.readUInt32BE(b.length - 4), 'CRC_32');
  assert.equal(b[13], 0x05, 'splice_command_type = splice_insert');
  const eventId = b.readUInt32BE(14);
  const flags = b[19]!;
  const out = (flags & 0x80) !== 0;
  let durationS: number | undefined;
  if (flags & 0x20) {
    const ticks = (BigInt(b[20]! & 0x01) << 32n) | BigInt(b.readUInt32BE(21));
    durationS = Number(ticks) / 90_000;
  }
  return { eventId, out, durationS };
}

describe('browser: InsertAdBreak signalled in every rendition (hls-parser, hls.js)', { timeout: 120_000 }, () => {
  const { server, ivs, browser, blankPage } = useServer({ browser: true, blankPage: true });

  it('EXT-X-DATERANGE SCTE35-OUT/IN and CUE-OUT/CUE-IN around the break; hls.js dateRanges has it', async () => {
    const ad = await ivs.send(
      new CreateAdConfigurationCommand({
        mediaTailorPlaybackConfigurations: [
          { playbackConfigurationArn: `arn:aws:mediatailor:${REGION}:${ACCOUNT}:playbackConfiguration/stitcher` },
        ],
      }),
    );
    const out = await ivs.send(
      new CreateChannelCommand({
        name: 'ads-live',
        latencyMode: 'NORMAL',
        insecureIngest: true,
        adConfigurationArn: ad.adConfiguration!.arn,
      }),
    );
    const pb = out.channel!.playbackUrl!;
    const pub = publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: 45, videoKbps: 800 });
    const page = await browser.newPage();
    try {
      const { playlist: master } = await waitForVariants(pb, 2, 40_000);
      const variants = master.variants.map((v) => ({ name: renditionName(v), url: new URL(v.uri, pb).href }));
      assert.deepEqual(variants.map((v) => v.name).sort(), ['160p30', 'source']);

      await page.goto(blankPage.url);
      await page.addScriptTag({ url: `${server.url}/_openivs/player/hls.min.js` });
      await page.evaluate((src: string) => {
        const video = document.createElement('video');
        video.muted = true;
        document.body.appendChild(video);
        const hls = new Hls({ startLevel: 0 });
        hls.loadSource(src);
        hls.attachMedia(video);
        window.__hls = hls;
      }, pb);

      const { adBreakId } = await ivs.send(
        new InsertAdBreakCommand({ channelArn: out.channel!.arn, durationSeconds: BREAK_SECONDS }),
      );
      assert.match(adBreakId!, /^[A-Za-z0-9]{12}$/);

      for (const v of variants) {
        const playlist = await pollUntil(
          `${v.name}: the break's CUE-IN listed`,
          async () => {
            const res = await get(v.url);
            return res.text.includes('#EXT-X-CUE-IN') ? res.text : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        );
        assert.match(
          playlist,
          new RegExp(`#EXT-X-DATERANGE:ID="${adBreakId}",[^\n]*SCTE35-OUT=0x[0-9A-F]+`),
          'SCTE35-OUT as hex',
        );
        const parsed = HLS.parse(playlist) as HLS.types.MediaPlaylist;
        const ranges = parsed.segments.filter((s) => s.dateRange?.id === adBreakId).map((s) => s.dateRange!);
        const outRange = ranges.find((r) => r.attributes['SCTE35-OUT'] !== undefined);
        const inRange = ranges.find((r) => r.attributes['SCTE35-IN'] !== undefined);
        assert.ok(outRange && inRange, `${v.name}: DATERANGE OUT and IN with ID ${adBreakId}:\n${playlist}`);
        assert.equal(outRange.plannedDuration, BREAK_SECONDS, `${v.name}: PLANNED-DURATION`);
        assert.equal(inRange.start!.getTime(), outRange.start!.getTime(), `${v.name}: one START-DATE`);
        assert.ok(
          inRange.duration! >= BREAK_SECONDS && inRange.duration! < BREAK_SECONDS + 3,
          `${v.name}: DURATION ${inRange.duration}`,
        );
        const cueOut = decodeSpliceInsert(outRange.attributes['SCTE35-OUT']);
        const cueIn = decodeSpliceInsert(inRange.attributes['SCTE35-IN']);
        assert.deepEqual(cueOut, { eventId: cueOut.eventId, out: true, durationS: BREAK_SECONDS });
        assert.deepEqual(cueIn, { eventId: cueOut.eventId, out: false, durationS: undefined });

        const kinds = parsed.segments.flatMap((s) => s.markers.map((m) => m.type));
        assert.ok(kinds.includes('OUT') && kinds.includes('IN'), `${v.name}: CUE-OUT and CUE-IN markers: ${kinds.join(',')}`);
        const outMarker = parsed.segments.flatMap((s) => s.markers).find((m) => m.type === 'OUT')!;
        assert.equal(outMarker.duration, BREAK_SECONDS, `${v.name}: EXT-X-CUE-OUT duration`);
        const outIndex = parsed.segments.findIndex((s) => s.markers.some((m) => m.type === 'OUT'));
        assert.equal(parsed.segments[outIndex]!.programDateTime?.getTime(), outRange.start!.getTime(), 'CUE-OUT at START-DATE');
      }

      const range = await until(
        'hls.js LevelDetails.dateRanges has the break',
        async () =>
          page.evaluate((id: string) => {
            const hls = window.__hls;
            for (const level of hls.levels ?? []) {
              const r = level.details?.dateRanges?.[id];
              if (r && r.duration !== null)
                return { duration: r.duration, out: r.attr['SCTE35-OUT'] ?? null, start: r.startDate.toISOString() };
            }
            return undefined;
          }, adBreakId!),
        30_000,
        () => server.logs().slice(-2000),
      );
      assert.ok(range.duration >= BREAK_SECONDS && range.duration < BREAK_SECONDS + 3, `hls.js duration ${range.duration}`);
      assert.match(String(range.out), /^0xFC/);
    } finally {
      await page.close();
      await pub.kill();
    }
  });
});
