// MPEG-TS (one program, H.264 + AAC) to the media plane's vocabulary: the same VideoTrackInfo / AudioTrackInfo /
// AccessUnit calls the RTMP path makes on a PublishSession (ports.ts), so an SRT publish can feed the registry exactly
// like an RTMP one. Timestamps become milliseconds on one unwrapped 90 kHz program clock. Loss (continuity gaps,
// transport errors, broken sync) drops the access unit it hit; on video it also drops the units after it until the
// next keyframe, because they predict from what was lost: forwarded, they make decoders fail (Chromium's MSE answers
// with a fatal decode error) where a short freeze is all a viewer should see. Memory per stream is bounded by
// the PES limits, the two-packet sync carry and one ADTS frame of audio carry. After an unsupported codec is
// reported, nothing more is delivered (as on RTMP, where that ends the publish).

import type { AudioTrackInfo } from '../../types.js';
import { audioTrackInfo, videoTrackInfo } from '../avc-config.js';
import { BitstreamError } from '../errors.js';
import { ascFromKey, MAX_ADTS_FRAME, scanAdts } from './adts.js';
import { annexBToAvcc, buildAvcDecoderConfig } from './h264.js';
import { PacketSync, TS_PACKET_SIZE } from './packet-sync.js';
import { PesAssembler, type PesPacket } from './pes.js';
import { parsePat, parsePmt, SectionAssembler } from './psi.js';
import { StartGate, type TsMediaHandler } from './start-gate.js';
import { selectStreams } from './stream-types.js';
import { ticksToMs, TimestampUnwrapper } from './timestamps.js';
import { ContinuityTracker, parseTsHeader, PID_PAT } from './ts-packet.js';

/** The part of a PublishSession the demuxer drives (a PublishSession is one). */
export type { TsMediaHandler } from './start-gate.js';

export interface TsDemuxerLimits {
  /** A video PES (one access unit) larger than this is dropped; RTMP's own message bound is 16 MiB. */
  maxVideoPesBytes: number;
  maxAudioPesBytes: number;
}

export const DEFAULT_TS_LIMITS: TsDemuxerLimits = { maxVideoPesBytes: 8 * 1024 * 1024, maxAudioPesBytes: 256 * 1024 };

export interface TsDemuxStats {
  packets: number;
  resyncs: number;
  skippedBytes: number;
  /** Packets with transport_error_indicator or an invalid header, dropped. */
  damagedPackets: number;
  continuityGaps: number;
  duplicatePackets: number;
  videoUnits: number;
  audioFrames: number;
  /** Access units lost to gaps, size bounds, bad headers or undecodable content. */
  droppedVideoUnits: number;
  /** Whole access units skipped after a loss until the next keyframe (they reference what was lost). */
  skippedVideoUnits: number;
  droppedAudioPes: number;
  /** Packets of PIDs that are not carried (other streams, null packets). */
  ignoredPackets: number;
}

const EMPTY = Buffer.alloc(0);

/** Where one PID's payload goes, and what a continuity gap on it means. */
interface PidSink {
  push(payload: Buffer, unitStart: boolean): void;
  lost(): void;
}

export class TsDemuxer {
  private readonly sync = new PacketSync((p) => this.packet(p));
  private readonly continuity = new ContinuityTracker();
  private readonly clock = new TimestampUnwrapper();
  /** PAT, PMT and the two carried elementary streams; every other PID is ignored. */
  private readonly sinks = new Map<number, PidSink>();
  private pmtPid = -1;
  private pmtVersion = -1;
  private videoPid = -1;
  private audioPid = -1;
  private video: PesAssembler | null = null;
  private audio: PesAssembler | null = null;
  private arrival = 0;
  private stopped = false;

  private sps: Buffer[] = [];
  private pps: Buffer[] = [];
  private videoReady = false;
  private audioKey = -1;
  private audioRest: Buffer = EMPTY;
  /** Where the next AAC frame is expected, 90 kHz ticks (for frames that start in carried bytes). */
  private audioNext: number | undefined;

  private readonly counters = {
    packets: 0,
    damagedPackets: 0,
    continuityGaps: 0,
    duplicatePackets: 0,
    videoUnits: 0,
    audioFrames: 0,
    droppedVideoUnits: 0,
    skippedVideoUnits: 0,
    droppedAudioPes: 0,
    ignoredPackets: 0,
  };
  /** Video was lost since the last keyframe: later units reference it and are skipped until the next keyframe. */
  private videoAwaitsKeyframe = false;

  /** The handler behind a StartGate: video waits for the audio configuration when the PMT declares audio. */
  private readonly out: StartGate;

  constructor(
    handler: TsMediaHandler,
    private readonly limits: TsDemuxerLimits = DEFAULT_TS_LIMITS,
  ) {
    this.out = new StartGate(handler);
    this.sinks.set(
      PID_PAT,
      sectionSink((section) => this.onPat(section)),
    );
  }

  /** Feeds bytes in any chunking; `arrival` is the wall clock of their receipt (ms since epoch). */
  push(chunk: Buffer, arrival = Date.now()): void {
    this.arrival = arrival;
    this.sync.push(chunk);
  }

  /** End of stream: delivers the access units still being assembled. */
  end(): void {
    this.video?.flush();
    this.audio?.flush();
    this.out.release();
  }

  get stats(): TsDemuxStats {
    const v = this.video?.stats;
    const a = this.audio?.stats;
    return {
      ...this.counters,
      ...this.sync.stats,
      droppedVideoUnits: this.counters.droppedVideoUnits + (v ? v.broken + v.oversize + v.malformed : 0),
      droppedAudioPes: this.counters.droppedAudioPes + (a ? a.broken + a.oversize + a.malformed : 0),
    };
  }

  private packet(p: Buffer): void {
    this.counters.packets++;
    const h = parseTsHeader(p);
    if (!h || h.transportError) {
      this.counters.damagedPackets++; // its PID cannot be trusted; the continuity check of the real PID notices
      return;
    }
    const sink = this.sinks.get(h.pid);
    if (!sink) {
      this.counters.ignoredPackets++;
      return;
    }
    const continuity = this.continuity.check(h);
    if (continuity === 'duplicate') {
      this.counters.duplicatePackets++;
      return;
    }
    if (continuity === 'gap') {
      this.counters.continuityGaps++;
      sink.lost();
    }
    if (h.payloadStart < TS_PACKET_SIZE) sink.push(p.subarray(h.payloadStart), h.unitStart);
  }

  private onPat(section: Buffer): void {
    const pid = parsePat(section);
    if (pid === null || pid === this.pmtPid || pid === PID_PAT) return;
    if (this.pmtPid >= 0) this.sinks.delete(this.pmtPid);
    this.sinks.delete(pid); // a PMT moved onto a stream's PID takes it over
    this.route(
      pid,
      sectionSink((s) => this.onPmt(s)),
    );
    this.pmtPid = pid;
    this.pmtVersion = -1;
  }

  private onPmt(section: Buffer): void {
    const pmt = parsePmt(section);
    if (!pmt || pmt.version === this.pmtVersion) return;
    this.pmtVersion = pmt.version;
    const selection = selectStreams(pmt.streams);
    if (selection.unsupported) return this.stop(selection.unsupported);
    const videoPid = selection.video?.pid ?? -1;
    const audioPid = selection.audio?.pid ?? -1;
    if (videoPid === this.videoPid && audioPid === this.audioPid) return;
    // New PIDs: fresh assemblers (a PES in progress on an old PID is abandoned).
    for (const pid of [this.videoPid, this.audioPid])
      if (pid >= 0 && pid !== this.pmtPid && pid !== PID_PAT) this.sinks.delete(pid);
    const video = new PesAssembler(
      this.limits.maxVideoPesBytes,
      (p) => this.onVideoPes(p),
      () => this.videoLost(),
    );
    const audio = new PesAssembler(this.limits.maxAudioPesBytes, (p) => this.onAudioPes(p));
    const videoSink = {
      push: (b: Buffer, u: boolean) => video.push(b, u),
      lost: () => {
        video.markBroken();
        this.videoLost(); // also when no PES was in progress: a whole unit may have vanished between two
      },
    };
    this.video = this.route(videoPid, videoSink) ? video : null;
    this.audio = this.route(audioPid, { push: (b, u) => audio.push(b, u), lost: () => this.audioLost(audio) }) ? audio : null;
    this.videoPid = this.video ? videoPid : -1;
    this.audioPid = this.audio ? audioPid : -1;
    this.out.expectAudio(this.audio !== null);
    this.audioRest = EMPTY;
  }

  /** Routes `pid` to `sink` unless it is absent or already has a role (PAT, PMT, the other stream). */
  private route(pid: number, sink: PidSink): boolean {
    if (pid < 0 || this.sinks.has(pid)) return false;
    this.sinks.set(pid, sink);
    this.continuity.forget(pid);
    return true;
  }

  private audioLost(audio: PesAssembler): void {
    audio.markBroken();
    this.audioRest = EMPTY; // the frame it began cannot be completed
    this.audioNext = undefined;
  }

  private onVideoPes(pes: PesPacket): void {
    if (this.stopped) return;
    if (pes.pts === undefined || pes.dts === undefined) {
      this.counters.droppedVideoUnits++; // H.264 in TS carries a PTS on every access unit
      this.videoLost();
      return;
    }
    const dts = this.clock.unwrap(pes.dts);
    const pts = pes.pts === pes.dts ? dts : this.clock.unwrap(pes.pts);
    let unit;
    try {
      unit = annexBToAvcc(pes.payload);
      if (unit.sps.length > 0 || unit.pps.length > 0) this.updateVideoConfig(unit.sps, unit.pps);
    } catch (err) {
      if (!(err instanceof BitstreamError)) throw err;
      this.counters.droppedVideoUnits++;
      this.videoLost();
      return;
    }
    if (unit.data.length === 0) return; // parameter sets only
    if (!this.videoReady) {
      this.counters.droppedVideoUnits++; // nothing downstream could decode it yet
      return;
    }
    if (this.videoAwaitsKeyframe) {
      if (!unit.keyframe) {
        this.counters.skippedVideoUnits++;
        return;
      }
      this.videoAwaitsKeyframe = false;
    }
    this.counters.videoUnits++;
    this.out.onAccessUnit({
      track: 'video',
      dts: ticksToMs(dts),
      pts: ticksToMs(pts),
      keyframe: unit.keyframe,
      data: unit.data,
      arrival: this.arrival,
    });
  }

  private videoLost(): void {
    this.videoAwaitsKeyframe = true;
  }

  /** Announces a new decoder configuration when the in-band SPS/PPS differ from the current ones. */
  private updateVideoConfig(sps: Buffer[], pps: Buffer[]): void {
    const nextSps = sps.length > 0 ? sps : this.sps;
    const nextPps = pps.length > 0 ? pps : this.pps;
    if (this.videoReady && sameBuffers(nextSps, this.sps) && sameBuffers(nextPps, this.pps)) return;
    if (nextSps.length === 0 || nextPps.length === 0) {
      this.sps = nextSps.map((b) => Buffer.from(b));
      this.pps = nextPps.map((b) => Buffer.from(b));
      return;
    }
    const info = videoTrackInfo(buildAvcDecoderConfig(nextSps, nextPps), undefined); // copies: views die with the PES
    this.sps = info.sps;
    this.pps = info.pps;
    this.videoReady = true;
    this.out.onVideoConfig(info);
  }

  private onAudioPes(pes: PesPacket): void {
    if (this.stopped) return;
    const carried = this.audioRest.length;
    const buf = carried > 0 ? Buffer.concat([this.audioRest, pes.payload]) : pes.payload;
    const scan = scanAdts(buf);
    this.audioRest = scan.rest.length > 0 && scan.rest.length <= MAX_ADTS_FRAME ? Buffer.from(scan.rest) : EMPTY;
    const base = pes.pts === undefined ? undefined : this.clock.unwrap(pes.pts);
    let index = 0;
    for (const frame of scan.frames) {
      const duration = (1024 * 90000) / frame.sampleRate;
      const startsHere = frame.offset >= carried && base !== undefined;
      const t = startsHere ? base + index++ * duration : this.audioNext;
      if (t === undefined) continue; // no timestamp to give it (a PES without PTS after a loss)
      if (frame.configKey !== this.audioKey && !this.updateAudioConfig(frame.configKey)) continue;
      this.audioNext = t + duration;
      this.counters.audioFrames++;
      this.out.onAccessUnit({
        track: 'audio',
        dts: ticksToMs(t),
        pts: ticksToMs(t),
        keyframe: true,
        data: frame.data,
        arrival: this.arrival,
      });
    }
  }

  private updateAudioConfig(key: number): boolean {
    let info: AudioTrackInfo;
    try {
      info = audioTrackInfo(ascFromKey(key));
    } catch (err) {
      if (!(err instanceof BitstreamError)) throw err;
      this.counters.droppedAudioPes++;
      return false;
    }
    this.audioKey = key;
    this.out.onAudioConfig(info);
    return true;
  }

  private stop(description: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.out.onUnsupported(description);
  }
}

function sectionSink(onSection: (section: Buffer) => void): PidSink {
  const assembler = new SectionAssembler(onSection);
  return { push: (b, u) => assembler.push(b, u), lost: () => assembler.reset() };
}

function sameBuffers(a: Buffer[], b: Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]!));
}
