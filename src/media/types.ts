// The media plane's shared vocabulary: track descriptions and access units, the one form in which
// media moves from ingest (RTMP/FLV) and the transcoder to the packager. Timestamps are RTMP's
// milliseconds; `arrival` is the ingest wall clock that EXT-X-PROGRAM-DATE-TIME is derived from.

export interface VideoTrackInfo {
  codec: 'avc';
  /** RFC 6381 codec string for HLS CODECS, e.g. `avc1.64001f`. */
  codecString: string;
  width: number;
  height: number;
  /** H.264 profile_idc and level_idc from the SPS. */
  profile: number;
  level: number;
  /** From onMetaData when the encoder sent it, else measured; undefined until known. */
  frameRate?: number;
  /** Length of the NAL unit length prefix in `AccessUnit.data` (from the decoder configuration). */
  nalLengthSize: number;
  /** The AVCDecoderConfigurationRecord exactly as received (fMP4 `avcC` needs it as-is). */
  decoderConfig: Buffer;
  sps: Buffer[];
  pps: Buffer[];
}

export interface AudioTrackInfo {
  codec: 'aac';
  /** e.g. `mp4a.40.2` (AAC-LC). */
  codecString: string;
  /** MPEG-4 audio object type (2 = AAC-LC). */
  objectType: number;
  sampleRate: number;
  channels: number;
  /** The AudioSpecificConfig exactly as received. */
  audioSpecificConfig: Buffer;
}

export interface AccessUnit {
  track: 'video' | 'audio';
  /** Decode timestamp, milliseconds (RTMP timeline, may start anywhere and may jump). */
  dts: number;
  /** Presentation timestamp, milliseconds (video: dts + composition time offset). */
  pts: number;
  /** Video: an IDR access unit (FLV frame type 1). Audio: always true. */
  keyframe: boolean;
  /** Video: AVCC length-prefixed NAL units as carried in FLV. Audio: one raw AAC frame (no ADTS header). */
  data: Buffer;
  /** Wall clock (ms since epoch) when the unit arrived at ingest. */
  arrival: number;
}
