// Public surface of the STANDARD-channel transcoder: ladder rules, ffmpeg arguments, FLV in/out, and the
// supervised ffmpeg process. The registry wires a Transcoder to a LiveStream; nothing here knows channels.

export { ladderFor, decimated, type Rendition, type RenditionName, type LadderInput, type LadderOptions } from './ladder.js';
export { ffmpegArgs, type FfmpegArgsOptions, type X264Preset } from './ffmpeg-args.js';
export { FlvStreamReader, type FlvStreamHandlers, type ArrivalClock } from './flv-stream-reader.js';
export { flvHeader, metadataTag, videoConfigTag, audioConfigTag, unitTag, streamPreamble } from './flv-writer.js';
export { detectFfmpeg, liveChildren, type FfmpegCheck } from './ffmpeg-process.js';
export { Transcoder, type TranscoderOptions, type TranscoderEvents, type RestartPolicy } from './transcoder.js';
