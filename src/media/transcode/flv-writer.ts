// Access units back to an FLV byte stream (the inverse of the ingest's tag parsing), so ffmpeg can be fed
// from the very units the packager gets: header, onMetaData, AVC/AAC sequence headers, then one tag per
// unit. Timestamps are the units' milliseconds (the RTMP timeline), which `-copyts` hands back unchanged.

import { EcmaArray } from '../ingest/amf0.js';
import { encodeAmf0 } from '../ingest/amf0-encode.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;
/** SoundFormat 10 (AAC); the rate/size/type bits are fixed at 44 kHz/16-bit/stereo for AAC by the spec. */
const AAC_HEADER = 0xaf;

/** The 9-byte FLV header plus PreviousTagSize0. */
export function flvHeader(hasVideo = true, hasAudio = true): Buffer {
  const out = Buffer.alloc(13);
  out.write('FLV', 0, 'latin1');
  out[3] = 1;
  out[4] = (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0);
  out.writeUInt32BE(9, 5);
  return out;
}

/**
 * onMetaData with the fields ffmpeg's demuxer uses: with `framerate` present it need not estimate the rate
 * from timestamps while probing (which takes frames and, with short probes, guesses wrong).
 */
export function metadataTag(video: VideoTrackInfo | undefined, audio: AudioTrackInfo | undefined): Buffer {
  const props: Record<string, number> = {};
  if (video) {
    props['width'] = video.width;
    props['height'] = video.height;
    props['videocodecid'] = 7;
    if (video.frameRate !== undefined) props['framerate'] = video.frameRate;
  }
  if (audio) {
    props['audiocodecid'] = 10;
    props['audiosamplerate'] = audio.sampleRate;
    props['stereo'] = audio.channels >= 2 ? 1 : 0;
  }
  return tag(TAG_SCRIPT, 0, [encodeAmf0('onMetaData', new EcmaArray(props))]);
}

export function videoConfigTag(info: VideoTrackInfo, timestamp = 0): Buffer {
  return tag(TAG_VIDEO, timestamp, [Buffer.of(0x17, 0, 0, 0, 0), info.decoderConfig]);
}

export function audioConfigTag(info: AudioTrackInfo, timestamp = 0): Buffer {
  return tag(TAG_AUDIO, timestamp, [Buffer.of(AAC_HEADER, 0), info.audioSpecificConfig]);
}

/** One access unit as an FLV tag: AVC NALU (with composition time) or raw AAC frame; `offsetMs` shifts its time. */
export function unitTag(au: AccessUnit, offsetMs = 0): Buffer {
  if (au.track === 'audio') return tag(TAG_AUDIO, au.dts + offsetMs, [Buffer.of(AAC_HEADER, 1)], au.data);
  const head = Buffer.alloc(5);
  head[0] = au.keyframe ? 0x17 : 0x27;
  head[1] = 1;
  head.writeIntBE(clampCts(au.pts - au.dts), 2, 3);
  return tag(TAG_VIDEO, au.dts + offsetMs, [head], au.data);
}

/** Header, metadata and both sequence headers: what a fresh ffmpeg must see before the first frame. */
export function streamPreamble(video: VideoTrackInfo | undefined, audio: AudioTrackInfo | undefined, timestamp = 0): Buffer {
  const parts = [flvHeader(video !== undefined, audio !== undefined), metadataTag(video, audio)];
  if (video) parts.push(videoConfigTag(video, timestamp));
  if (audio) parts.push(audioConfigTag(audio, timestamp));
  return Buffer.concat(parts);
}

/** Tag = 11-byte header, body (prefix parts + payload), 4-byte PreviousTagSize; one allocation, one copy. */
function tag(type: number, timestamp: number, prefix: Buffer[], payload?: Buffer): Buffer {
  let size = payload?.length ?? 0;
  for (const p of prefix) size += p.length;
  const out = Buffer.allocUnsafe(11 + size + 4);
  // The FLV timestamp is an unsigned 32-bit ms count split 24 + 8 bits; negative times cannot be expressed.
  const ts = Math.max(0, Math.round(timestamp)) >>> 0;
  out[0] = type;
  out.writeUIntBE(size, 1, 3);
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out[7] = ts >>> 24;
  out.writeUIntBE(0, 8, 3); // stream id
  let pos = 11;
  for (const p of prefix) pos += p.copy(out, pos);
  if (payload) pos += payload.copy(out, pos);
  out.writeUInt32BE(11 + size, pos);
  return out;
}

function clampCts(cts: number): number {
  return Math.max(-0x800000, Math.min(0x7fffff, Math.round(cts)));
}
