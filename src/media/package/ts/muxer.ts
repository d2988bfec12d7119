// The MPEG-TS muxer for one HLS rendition: H.264 on PID 0x100, ADTS AAC on 0x101, optional ID3 timed metadata on
// 0x102. Timestamps are milliseconds on the packager's output timeline; wrap to 33 bits happens only when encoding.
// Packets go into a PacketSink, one contiguous buffer per segment, so packaging does no per-packet allocation.

import type { AudioTrackInfo, VideoTrackInfo } from '../../types.js';
import { adtsFields, aacFrameDurationMs, ADTS_HEADER_SIZE, writeAdtsHeader, type AdtsFields } from './adts.js';
import { AvccScanner, parameterSetsAnnexB } from './annexb.js';
import { Gather } from './gather.js';
import { PacketSink } from './packet-sink.js';
import { newContinuityCounters, writePcrOnly, writePes, writeSection } from './packetizer.js';
import { MAX_PES_HEADER, STREAM_ID_AUDIO, STREAM_ID_PRIVATE_1, STREAM_ID_VIDEO, writePesHeader } from './pes-header.js';
import {
  buildPat,
  buildPmt,
  ID3_METADATA_DESCRIPTOR,
  PID_AUDIO,
  PID_METADATA,
  PID_PAT,
  PID_PMT,
  PID_VIDEO,
  STREAM_TYPE_ADTS_AAC,
  STREAM_TYPE_H264,
  STREAM_TYPE_METADATA_PES,
  type PmtStream,
} from './psi.js';
import { msToTicks } from './timestamps.js';

export interface TsMuxerOptions {
  video?: VideoTrackInfo;
  audio?: AudioTrackInfo;
  /** Declare the ID3 metadata PID in the PMT (needed before writeId3 output is visible to players). */
  metadata?: boolean;
  /** PCR runs this far behind the video DTS, the decoder buffering delay of the T-STD model. */
  pcrDelayMs?: number;
  /** Consecutive AAC frames are grouped into one PES up to about this span, to cut PES/packet overhead. */
  maxAudioPesMs?: number;
  /** First segment buffer size; later ones are sized from the previous segment. */
  initialCapacity?: number;
}

/** The parts of an access unit the muxer needs; times on the output timeline (ms). */
export interface MuxUnit {
  pts: number;
  dts: number;
  keyframe: boolean;
  data: Buffer;
}

const PCR_MAX_INTERVAL_MS = 100;
const MAX_AUDIO_FRAMES = 32;

export class TsMuxer {
  private readonly sink: PacketSink;
  private readonly ccs = newContinuityCounters();
  private readonly gather = new Gather();
  private readonly scanner = new AvccScanner();
  private readonly pesHeader = Buffer.alloc(MAX_PES_HEADER);
  private readonly metadata: boolean;
  private readonly pcrDelayMs: number;
  private readonly maxAudioPesMs: number;
  private video: VideoTrackInfo | undefined;
  private audio: AudioTrackInfo | undefined;
  private pat = buildPat();
  private pmt: Buffer | undefined;
  private pmtVersion = 0;
  private parameterSets: Buffer | undefined;
  private adts: AdtsFields | undefined;
  private audioFrameMs = 0;
  private lastPcrMs: number | undefined;
  // Pending audio PES: ADTS headers live in adtsScratch, frame payloads are referenced until flushed.
  private readonly adtsScratch = Buffer.alloc(ADTS_HEADER_SIZE * MAX_AUDIO_FRAMES);
  private readonly audioFrames: Buffer[] = [];
  private audioPts = 0;
  private audioNextDts = 0;

  constructor(options: TsMuxerOptions = {}) {
    this.metadata = options.metadata ?? false;
    this.pcrDelayMs = options.pcrDelayMs ?? 700;
    this.maxAudioPesMs = options.maxAudioPesMs ?? 100;
    this.sink = new PacketSink(options.initialCapacity);
    this.setTracks(options.video, options.audio);
  }

  /** Changes the track configuration; takes effect in the PMT of the next segment and for SPS/PPS at the next IDR. */
  setTracks(video: VideoTrackInfo | undefined, audio: AudioTrackInfo | undefined): void {
    this.flushAudio();
    this.video = video;
    this.audio = audio;
    this.parameterSets = video ? parameterSetsAnnexB(video) : undefined;
    this.adts = audio ? adtsFields(audio) : undefined;
    this.audioFrameMs = audio ? aacFrameDurationMs(audio) : 0;
    const streams: PmtStream[] = [];
    if (video) streams.push({ streamType: STREAM_TYPE_H264, pid: PID_VIDEO });
    if (audio) streams.push({ streamType: STREAM_TYPE_ADTS_AAC, pid: PID_AUDIO });
    if (this.metadata) {
      streams.push({ streamType: STREAM_TYPE_METADATA_PES, pid: PID_METADATA, descriptors: ID3_METADATA_DESCRIPTOR });
    }
    const pmt = buildPmt(this.pcrPid(), streams, this.pmtVersion);
    if (this.pmt && !pmt.equals(this.pmt)) this.pmtVersion = (this.pmtVersion + 1) & 0x1f;
    this.pmt = buildPmt(this.pcrPid(), streams, this.pmtVersion);
  }

  /** Starts a segment with PAT and PMT so it can be decoded without any earlier segment. */
  beginSegment(): void {
    writeSection(this.sink, this.ccs, PID_PAT, this.pat);
    writeSection(this.sink, this.ccs, PID_PMT, this.pmt!);
  }

  writeVideo(unit: MuxUnit): void {
    if (!this.video) return;
    this.scanner.scan(unit.data, this.video.nalLengthSize);
    const idr = unit.keyframe || this.scanner.hasIdr;
    const g = this.gather;
    g.reset();
    // Video PES length is left unbounded (0), so the header is known before the payload is gathered.
    g.add(this.pesHeader, 0, writePesHeader(this.pesHeader, STREAM_ID_VIDEO, unit.pts, unit.dts, undefined));
    this.scanner.emit(g, unit.data, idr ? this.parameterSets : undefined);
    writePes(this.sink, this.ccs, PID_VIDEO, g, msToTicks(this.advancePcr(unit.dts)), idr);
  }

  writeAudio(unit: MuxUnit): void {
    if (!this.audio) return;
    const n = this.audioFrames.length;
    if (n > 0) {
      const gap = Math.abs(unit.dts - this.audioNextDts) > this.audioFrameMs / 2;
      if (gap || n >= MAX_AUDIO_FRAMES || unit.dts - this.audioPts >= this.maxAudioPesMs) this.flushAudio();
    }
    if (this.audioFrames.length === 0) this.audioPts = unit.pts;
    writeAdtsHeader(this.adtsScratch, this.audioFrames.length * ADTS_HEADER_SIZE, this.adts!, unit.data.length);
    this.audioFrames.push(unit.data);
    this.audioNextDts = unit.dts + this.audioFrameMs;
    if (this.video && this.lastPcrMs !== undefined && unit.dts - this.pcrDelayMs - this.lastPcrMs > PCR_MAX_INTERVAL_MS) {
      writePcrOnly(this.sink, this.ccs, PID_VIDEO, msToTicks(this.advancePcr(unit.dts)));
    }
  }

  /** Writes an ID3 tag as a PES (stream id 0xBD) on the metadata PID, presented at `ptsMs`. */
  writeId3(ptsMs: number, id3: Buffer): void {
    if (id3.length > 0xffff - 8) throw new RangeError(`ID3 tag too large for one PES: ${id3.length} bytes`);
    const g = this.gather;
    g.reset();
    const headerLength = writePesHeader(this.pesHeader, STREAM_ID_PRIVATE_1, ptsMs, undefined, id3.length);
    g.add(this.pesHeader, 0, headerLength);
    g.add(id3);
    writePes(this.sink, this.ccs, PID_METADATA, g, undefined, false);
  }

  /** Bytes written since the previous part (pending audio flushed first): an LL-HLS part. */
  finishPart(): Buffer {
    this.flushAudio();
    return this.sink.takePart();
  }

  /** All bytes of the current segment. */
  finishSegment(): Buffer {
    this.flushAudio();
    return this.sink.takeSegment();
  }

  private pcrPid(): number {
    return this.video ? PID_VIDEO : PID_AUDIO;
  }

  private advancePcr(dtsMs: number): number {
    const pcr = dtsMs - this.pcrDelayMs;
    this.lastPcrMs = this.lastPcrMs === undefined ? pcr : Math.max(this.lastPcrMs, pcr); // never backwards
    return this.lastPcrMs;
  }

  private flushAudio(): void {
    const n = this.audioFrames.length;
    if (n === 0 || !this.audio) return;
    const g = this.gather;
    g.reset();
    let payload = 0;
    for (const f of this.audioFrames) payload += f.length + ADTS_HEADER_SIZE;
    const headerLength = writePesHeader(this.pesHeader, STREAM_ID_AUDIO, this.audioPts, undefined, payload);
    g.add(this.pesHeader, 0, headerLength);
    for (let i = 0; i < n; i++) {
      g.add(this.adtsScratch, i * ADTS_HEADER_SIZE, (i + 1) * ADTS_HEADER_SIZE);
      g.add(this.audioFrames[i]!);
    }
    const pcr = this.video ? undefined : msToTicks(this.advancePcr(this.audioPts));
    writePes(this.sink, this.ccs, PID_AUDIO, g, pcr, !this.video);
    this.audioFrames.length = 0;
  }
}
