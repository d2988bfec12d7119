// Incremental FLV *stream* parsing (header, PreviousTagSize, tags) for ffmpeg's rendition pipes, which
// deliver arbitrary chunks. Tag bodies go through the ingest's own parsers (parseVideoTag/parseAudioTag,
// videoTrackInfo/audioTrackInfo), so a rendition becomes exactly what an RTMP publish becomes: track infos
// and access units. Chunks are queued without concatenation; unit payloads are views when contiguous.

import { decodeAmf0 } from '../ingest/amf0.js';
import { audioTrackInfo, videoTrackInfo } from '../ingest/avc-config.js';
import { ByteQueue } from '../ingest/byte-queue.js';
import { BitstreamError } from '../ingest/errors.js';
import { parseAudioTag, parseVideoTag } from '../ingest/flv.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';

export interface FlvStreamHandlers {
  videoConfig(info: VideoTrackInfo): void;
  audioConfig(info: AudioTrackInfo): void;
  unit(au: AccessUnit): void;
  metadata?(meta: Record<string, unknown>): void;
}

/**
 * Gives a unit its `arrival` wall clock. The default is the parse time; a transcoder passes a lookup into
 * the source's arrival times instead, so program date-time does not drift by the encoding delay.
 */
export type ArrivalClock = (track: AccessUnit['track'], pts: number) => number;

const HEADER_SIZE = 9;
const TAG_HEADER_SIZE = 11;

type State =
  | { at: 'header' }
  | { at: 'skip'; bytes: number }
  | { at: 'tag' }
  | { at: 'body'; type: number; size: number; timestamp: number };

export class FlvStreamReader {
  private readonly queue = new ByteQueue();
  private readonly scratch = Buffer.alloc(TAG_HEADER_SIZE);
  private state: State = { at: 'header' };
  private frameRate: number | undefined;
  private videoReady = false;
  private audioReady = false;

  constructor(
    private readonly handlers: FlvStreamHandlers,
    private readonly arrival: ArrivalClock = () => Date.now(),
  ) {}

  /** Feeds the next chunk; handlers run synchronously for every complete tag. Throws BitstreamError on bad framing. */
  push(chunk: Buffer): void {
    this.queue.push(chunk);
    while (this.step()) {
      // each step consumes one header or tag
    }
  }

  /** Bytes received but not yet parsed (an incomplete tag at the end of a stream). */
  get pending(): number {
    return this.queue.length;
  }

  private step(): boolean {
    const q = this.queue;
    switch (this.state.at) {
      case 'header': {
        if (q.length < HEADER_SIZE) return false;
        q.readInto(this.scratch, 0, HEADER_SIZE);
        if (this.scratch.toString('latin1', 0, 3) !== 'FLV') throw new BitstreamError('not an FLV stream');
        const dataOffset = this.scratch.readUInt32BE(5);
        if (dataOffset < HEADER_SIZE) throw new BitstreamError(`FLV header DataOffset ${dataOffset}`);
        this.state = { at: 'skip', bytes: dataOffset - HEADER_SIZE + 4 }; // rest of header + PreviousTagSize0
        return true;
      }
      case 'skip': {
        const n = Math.min(this.state.bytes, q.length);
        q.skip(n);
        this.state = n === this.state.bytes ? { at: 'tag' } : { at: 'skip', bytes: this.state.bytes - n };
        return this.state.at === 'tag';
      }
      case 'tag': {
        if (q.length < TAG_HEADER_SIZE) return false;
        const h = this.scratch;
        q.readInto(h, 0, TAG_HEADER_SIZE);
        const timestamp = (h.readUIntBE(4, 3) | (h[7]! << 24)) >>> 0;
        this.state = { at: 'body', type: h[0]! & 0x1f, size: h.readUIntBE(1, 3), timestamp };
        return true;
      }
      case 'body': {
        const { type, size, timestamp } = this.state;
        if (q.length < size + 4) return false;
        const body = q.take(size);
        q.skip(4); // PreviousTagSize: redundant in a stream read front to back
        this.state = { at: 'tag' };
        this.tag(type, timestamp, body);
        return true;
      }
    }
  }

  private tag(type: number, dts: number, body: Buffer): void {
    if (type === 9) this.video(dts, body);
    else if (type === 8) this.audio(dts, body);
    else if (type === 18) this.script(body);
  }

  private video(dts: number, body: Buffer): void {
    const tag = parseVideoTag(body);
    if (tag.kind === 'config') {
      // Copied: the record outlives this chunk (packagers keep it for the whole stream).
      this.handlers.videoConfig(videoTrackInfo(Buffer.from(tag.record), this.frameRate));
      this.videoReady = true;
    } else if (tag.kind === 'frame' && this.videoReady) {
      const pts = dts + tag.cts;
      this.handlers.unit({
        track: 'video',
        dts,
        pts,
        keyframe: tag.keyframe,
        data: tag.data,
        arrival: this.arrival('video', pts),
      });
    }
  }

  private audio(dts: number, body: Buffer): void {
    const tag = parseAudioTag(body);
    if (tag.kind === 'config') {
      this.handlers.audioConfig(audioTrackInfo(Buffer.from(tag.asc)));
      this.audioReady = true;
    } else if (tag.kind === 'frame' && this.audioReady) {
      this.handlers.unit({ track: 'audio', dts, pts: dts, keyframe: true, data: tag.data, arrival: this.arrival('audio', dts) });
    }
  }

  /** onMetaData: only `framerate` matters here (VideoTrackInfo.frameRate); other script data is ignored. */
  private script(body: Buffer): void {
    let values;
    try {
      values = decodeAmf0(body);
    } catch {
      return; // metadata is advisory; a malformed one must not stop the media
    }
    const meta = values[1];
    if (values[0] !== 'onMetaData' || meta === null || typeof meta !== 'object' || Array.isArray(meta) || meta instanceof Date)
      return;
    const rate = (meta as Record<string, unknown>)['framerate'];
    if (typeof rate === 'number' && Number.isFinite(rate) && rate > 0 && rate <= 1000) this.frameRate = rate;
    this.handlers.metadata?.(meta as Record<string, unknown>);
  }
}
