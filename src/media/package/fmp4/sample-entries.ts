// The codec-specific part of the fMP4 init segment: the `stsd` sample entries. H.264 is an `avc1` VisualSampleEntry
// whose `avcC` is the AVCDecoderConfigurationRecord exactly as the encoder sent it (in-band SPS/PPS are not needed);
// AAC is an `mp4a` AudioSampleEntry whose `esds` wraps the AudioSpecificConfig in MPEG-4 Systems descriptors.

import type { AudioTrackInfo, VideoTrackInfo } from '../../types.js';
import { box, fields, fullBox } from './box.js';

/** VisualSampleEntry('avc1') + avcC. */
export function avc1(video: VideoTrackInfo): Buffer {
  const entry = fields(78, (f) => {
    f.zeros(6).u16(1); // reserved, data_reference_index
    f.u16(0).u16(0).zeros(12); // pre_defined, reserved, pre_defined[3]
    f.u16(video.width).u16(video.height);
    f.u32(0x00480000).u32(0x00480000); // 72 dpi
    f.u32(0).u16(1); // reserved, frame_count
    f.zeros(32); // compressorname (empty Pascal string)
    f.u16(0x0018).u16(0xffff); // depth, pre_defined = -1
  });
  return box('avc1', entry, box('avcC', video.decoderConfig));
}

/** AudioSampleEntry('mp4a') + esds. */
export function mp4a(audio: AudioTrackInfo, trackId: number): Buffer {
  const rate = audio.sampleRate <= 0xffff ? audio.sampleRate : 0; // 16.16 field: rates above 65535 do not fit
  const entry = fields(28, (f) => {
    f.zeros(6).u16(1); // reserved, data_reference_index
    f.zeros(8); // reserved (version, revision, vendor)
    f.u16(audio.channels || 2).u16(16); // channelcount, samplesize
    f.u16(0).u16(0); // pre_defined, reserved
    f.u32(rate * 0x10000);
  });
  return box('mp4a', entry, esds(audio.audioSpecificConfig, trackId));
}

/** ES_Descriptor → DecoderConfigDescriptor (AAC, audio stream) → DecoderSpecificInfo (ASC), SLConfigDescriptor. */
export function esds(asc: Buffer, esId: number): Buffer {
  const decoderSpecific = descriptor(0x05, asc);
  const decoderConfig = descriptor(
    0x04,
    fields(13, (f) => {
      f.u8(0x40); // objectTypeIndication: MPEG-4 Audio
      f.u8((0x05 << 2) | 1); // streamType audio, upStream 0, reserved 1
      f.u24(0).u32(0).u32(0); // bufferSizeDB, maxBitrate, avgBitrate (unknown)
    }),
    decoderSpecific,
  );
  const slConfig = descriptor(0x06, Buffer.from([0x02])); // predefined: MP4
  const es = descriptor(
    0x03,
    fields(3, (f) => f.u16(esId).u8(0)),
    decoderConfig,
    slConfig,
  );
  return fullBox('esds', 0, 0, es);
}

/** An MPEG-4 Systems descriptor: tag, expandable size (7 bits a byte), payload. */
export function descriptor(tag: number, ...payload: Buffer[]): Buffer {
  let size = 0;
  for (const p of payload) size += p.length;
  const sizeBytes: number[] = [size & 0x7f];
  for (let rest = size >>> 7; rest > 0; rest >>>= 7) sizeBytes.unshift((rest & 0x7f) | 0x80);
  if (sizeBytes.length > 4) throw new RangeError(`descriptor too large: ${size}`);
  return Buffer.concat([Buffer.from([tag, ...sizeBytes]), ...payload]);
}
