// STANDARD channels: one supervised ffmpeg per live stream turns the source into IVS's ladder.
// Each rung gets its own segmenter (same options as the source, so renditions share segment and
// part timing); the source rendition keeps playing whatever ffmpeg does. A capacity limit refuses
// new STANDARD streams rather than letting every stream on the machine fall behind real time.
// In a cluster a stream this node cannot transcode may take a slot on another node (`remote`, wired by app.ts):
// its ffmpeg then runs there, supervised from here like a local one.

import type { Logger } from 'pino';
import { HlsSegmenter } from '../package/segmenter.js';
import { ladderFor } from '../transcode/ladder.js';
import type { RemoteTranscodeSlot, RemoteTranscoding } from '../transcode/remote-slot.js';
import { Transcoder, type FfmpegJob } from '../transcode/transcoder.js';
import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { segmenterOptions, type LiveStream, type PackagingOptions } from './live-stream.js';

export interface TranscodingOptions {
  /** ffmpeg is present with libx264 and aac. */
  available: boolean;
  ffmpegPath: string;
  /** Concurrent transcoded streams this machine holds in real time. */
  maxConcurrent: number;
  packaging: PackagingOptions;
  log: Logger;
}

// ADVANCED_SD/ADVANCED_HD have ladders of their own (capped at 480p/720p, per preset: advanced-ladder.ts) and
// take a transcode slot like STANDARD.
const TRANSCODED_TYPES = new Set(['STANDARD', 'ADVANCED_SD', 'ADVANCED_HD']);

export class TranscodeService {
  private active = 0;
  /** Nodes sharing a database: slots on other nodes, for streams this one has none for (set by app.ts). */
  remote: RemoteTranscoding | undefined;

  constructor(private readonly opts: TranscodingOptions) {}

  /** Whether a stream of this channel type is transcoded (false: it plays its source only). */
  wants(channelType: string): boolean {
    return this.opts.available && TRANSCODED_TYPES.has(channelType);
  }

  /** Transcode slots not in use (0 when ffmpeg is unavailable). */
  get freeSlots(): number {
    return this.opts.available ? Math.max(0, this.opts.maxConcurrent - this.active) : 0;
  }

  /** Reserves a slot for a new transcoded stream; false when capacity is exhausted. */
  reserve(): boolean {
    if (this.active >= this.opts.maxConcurrent) return false;
    this.active++;
    return true;
  }

  /** Transcode slots taken, and how many there are (metrics). */
  get slotsInUse(): number {
    return this.active;
  }

  get slots(): number {
    return this.opts.maxConcurrent;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }

  /** A slot on another node, when this one has none (cluster only). */
  async reserveRemote(): Promise<RemoteTranscodeSlot | undefined> {
    if (!this.opts.available || this.remote === undefined) return undefined;
    try {
      return await this.remote.reserve();
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'could not reserve a transcode slot on another node');
      return undefined;
    }
  }

  /** Starts the ladder for a stream once its video configuration is known. */
  attach(stream: LiveStream, video: VideoTrackInfo, audio: AudioTrackInfo | undefined): Transcoder | undefined {
    const preset = stream.channel.doc.preset;
    const ladder = ladderFor(
      { width: video.width, height: video.height, frameRate: video.frameRate, hasAudio: audio !== undefined },
      { channelType: stream.channel.type, preset: typeof preset === 'string' ? preset : undefined },
    );
    if (ladder.length === 0) return undefined;
    const transcoder = new Transcoder({
      ladder,
      log: this.opts.log,
      ffmpegPath: this.opts.ffmpegPath,
      sourceFrameRate: video.frameRate,
      restart: { baseMs: 500, maxMs: 10_000 },
      ...(stream.remoteTranscode ? { launch: (job: FfmpegJob) => stream.remoteTranscode!.launch(job) } : {}),
    });
    const tracks = new Map<string, { video?: VideoTrackInfo; audio?: AudioTrackInfo }>();
    for (const rung of ladder) {
      // Keep the source's timestamps across an ffmpeg restart (the gap stays a gap) so renditions stay aligned.
      const options = { ...segmenterOptions(stream.channel, this.opts.packaging), maxForwardGapMs: 60_000 };
      stream.renditions.set(rung.name, new HlsSegmenter(options));
      tracks.set(rung.name, {});
    }
    const apply = (name: string) => {
      const t = tracks.get(name)!;
      stream.renditions.get(name)?.setTracks(t.video, t.audio);
    };
    transcoder.on('videoConfig', (rung, info) => {
      tracks.get(rung.name)!.video = info;
      apply(rung.name);
    });
    transcoder.on('audioConfig', (rung, info) => {
      tracks.get(rung.name)!.audio = info;
      apply(rung.name);
    });
    transcoder.on('unit', (rung, au) => {
      if (!stream.ended) stream.renditions.get(rung.name)?.push(au);
    });
    transcoder.on('restarting', ({ attempt, delayMs }) =>
      this.opts.log.warn(
        { streamId: stream.streamId, attempt, delayMs },
        'transcoder exited: restarting; the source rendition keeps playing',
      ),
    );
    transcoder.on('failed', (err) =>
      this.opts.log.error({ streamId: stream.streamId, err: err.message }, 'transcoder gave up; only the source rendition plays'),
    );
    transcoder.setVideoConfig(video);
    if (audio) transcoder.setAudioConfig(audio);
    transcoder.start();
    const node = stream.remoteTranscode?.node;
    this.opts.log.info(
      { streamId: stream.streamId, renditions: ladder.map((r) => r.name), ...(node ? { node } : {}) },
      node ? 'transcoding started on another node' : 'transcoding started',
    );
    return transcoder;
  }
}
