// The media path of one accepted publish: RTMP audio/video/data messages → PublishSession calls.
// Configuration (sequence headers) is parsed here and re-announced every time it arrives; frames that
// arrive before their track's configuration are dropped, since nothing downstream could decode them.
// An unsupported codec is reported once through `unsupported` and nothing more is delivered. Data
// messages that cannot be decoded (or exceed the AMF0 limits) are skipped: they carry no media, and a
// stream should not end over an odd metadata message.

import type { AccessUnit } from '../types.js';
import { decodeAmf0, type AmfValue } from './amf0.js';
import { AmfError } from './errors.js';
import { forEachAggregateTag } from './aggregate.js';
import { audioTrackInfo, videoTrackInfo } from './avc-config.js';
import type { RtmpMessage } from './chunk-reader.js';
import { parseAudioTag, parseVideoTag } from './flv.js';
import { DATA_AMF_LIMITS } from './limits.js';
import { MSG } from './messages.js';
import type { PublishSession } from './ports.js';

export class MediaSink {
  private frameRate: number | undefined;
  private videoReady = false;
  private audioReady = false;
  private stopped = false;
  /** Data messages skipped because they did not decode. */
  skippedData = 0;

  constructor(
    private readonly session: PublishSession,
    private readonly unsupported: (description: string) => void,
  ) {}

  /** Handles one audio, video, data or aggregate message; `arrival` is the wall clock of its socket read. */
  handle(msg: RtmpMessage, arrival: number): void {
    if (msg.type === MSG.AGGREGATE) {
      forEachAggregateTag(msg.payload, msg.timestamp, (type, timestamp, body) => this.tag(type, timestamp, body, arrival));
    } else {
      this.tag(msg.type, msg.timestamp, msg.payload, arrival);
    }
  }

  private tag(type: number, timestamp: number, body: Buffer, arrival: number): void {
    if (this.stopped) return;
    if (type === MSG.VIDEO) this.video(timestamp, body, arrival);
    else if (type === MSG.AUDIO) this.audio(timestamp, body, arrival);
    else if (type === MSG.DATA_AMF0) this.data(body, 0);
    else if (type === MSG.DATA_AMF3 && body.length > 0) this.data(body, 1); // AMF0 after a 0 format byte
  }

  private video(dts: number, body: Buffer, arrival: number): void {
    const tag = parseVideoTag(body);
    switch (tag.kind) {
      case 'config':
        // Copied: the payload is a view of a shared slab (payload-slab.ts), which the track must not pin for its life.
        this.session.onVideoConfig(videoTrackInfo(Buffer.from(tag.record), this.frameRate));
        this.videoReady = true;
        return;
      case 'frame':
        if (!this.videoReady) return;
        this.emit({ track: 'video', dts, pts: dts + tag.cts, keyframe: tag.keyframe, data: tag.data, arrival });
        return;
      case 'unsupported':
        return this.stop(tag.description);
      case 'ignore':
        return;
    }
  }

  private audio(dts: number, body: Buffer, arrival: number): void {
    const tag = parseAudioTag(body);
    switch (tag.kind) {
      case 'config':
        this.session.onAudioConfig(audioTrackInfo(Buffer.from(tag.asc))); // copied, as the video configuration
        this.audioReady = true;
        return;
      case 'frame':
        if (!this.audioReady) return;
        this.emit({ track: 'audio', dts, pts: dts, keyframe: true, data: tag.data, arrival });
        return;
      case 'unsupported':
        return this.stop(tag.description);
      case 'ignore':
        return;
    }
  }

  /** Data messages that do not decode are skipped (counted in `skippedData`). */
  private data(body: Buffer, start: number): void {
    let values: AmfValue[];
    try {
      values = decodeAmf0(body, start, DATA_AMF_LIMITS);
    } catch (err) {
      if (!(err instanceof AmfError)) throw err;
      this.skippedData++;
      return;
    }
    this.metadata(values);
  }

  /** `@setDataFrame onMetaData {...}` (ffmpeg, OBS) or a bare `onMetaData {...}`; other data is ignored. */
  private metadata(values: AmfValue[]): void {
    const args = values[0] === '@setDataFrame' ? values.slice(1) : values;
    const meta = args[1];
    if (args[0] !== 'onMetaData' || meta === null || typeof meta !== 'object' || Array.isArray(meta)) return;
    if (meta instanceof Date) return;
    const rate = (meta as Record<string, unknown>)['framerate'];
    if (typeof rate === 'number' && Number.isFinite(rate) && rate > 0 && rate <= 1000) this.frameRate = rate;
    this.session.onMetadata(meta as Record<string, unknown>);
  }

  private emit(au: AccessUnit): void {
    this.session.onAccessUnit(au);
  }

  private stop(description: string): void {
    this.stopped = true;
    this.unsupported(description);
  }
}
