// One supervised ffmpeg per live STANDARD stream. The caller hands over the source's track infos and access
// units (or a raw FLV byte stream); this class serializes them to FLV on ffmpeg's stdin and parses each
// rendition pipe back into track infos and units, emitted per rendition.
//
// Supervision: a crash is followed by a restart with exponential backoff while the source keeps playing.
// Each new ffmpeg gets a fresh FLV preamble (header, metadata, sequence headers) and its input from a source
// keyframe on, since it cannot decode anything before one: the kept source keyframe right after the last frame
// the renditions emitted (replay-buffer.ts), so no GOP goes missing from the rungs and their segments stay
// aligned with the source's; the next keyframe to arrive when none is kept. Output a rung already has (the
// old ffmpeg got further on one rung than on another) is dropped up to the rung's next keyframe. Renditions
// re-announce their configs after a restart; `generation` tells the caller a new ffmpeg took over.
//
// Timeline: ffmpeg runs with `-copyts`, so renditions keep the source's timestamps, but everything sent to
// it is shifted TIMELINE_OFFSET_MS later and shifted back on the way out. Without that, AAC encoder priming
// makes the first re-encoded audio packet of a stream starting at 0 negative, and the FLV muxer then moves
// *all* streams later to compensate (by 9 ms in a test), misaligning keyframes with the source. The priming
// packet is the one unit that would come out before 0; it is dropped.
//
// Backpressure: if ffmpeg cannot keep up and its stdin buffer passes `maxBufferedBytes`, input is dropped
// until the next keyframe (with a warning) instead of buffering without bound: a live transcode that falls
// behind must skip, not lag further and further.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { ArrivalMap } from './arrival-map.js';
import { ffmpegArgs, type FfmpegArgsOptions, type X264Preset } from './ffmpeg-args.js';
import { logStderr, spawnFfmpeg, type FfmpegChild } from './ffmpeg-process.js';
import { FlvStreamReader } from './flv-stream-reader.js';
import { audioConfigTag, streamPreamble, unitTag, videoConfigTag } from './flv-writer.js';
import type { Rendition } from './ladder.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface RestartPolicy {
  baseMs: number;
  maxMs: number;
  /** Consecutive restarts allowed before giving up with 'failed'; unlimited when unset. */
  maxRestarts?: number;
  /** A child that lived this long resets the backoff (default 30 s). */
  stableMs?: number;
}

export interface TranscoderOptions {
  ladder: readonly Rendition[];
  log: Logger;
  ffmpegPath?: string;
  x264Preset?: X264Preset;
  threads?: number;
  /** The source frame rate, for rungs that decimate (60 → 30). */
  sourceFrameRate?: number;
  restart?: RestartPolicy;
  /** stdin buffer level that triggers dropping until the next keyframe (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Extra ffmpeg argument options (probe time, log level, max GOP). */
  args?: Partial<FfmpegArgsOptions>;
  /**
   * Where each (re)start gets its ffmpeg: a local process by default; in a cluster, a relay to a node with a free
   * transcode slot. It gets the ladder and options too, so a relay can send those instead of a command line.
   */
  launch?: (job: FfmpegJob) => FfmpegChild;
}

/** One ffmpeg to start: its command line, and what it was built from. */
export interface FfmpegJob {
  args: string[];
  ladder: readonly Rendition[];
  options: FfmpegArgsOptions;
}

export interface TranscoderEvents {
  started: [info: { pid: number; generation: number }];
  videoConfig: [rendition: Rendition, info: VideoTrackInfo];
  audioConfig: [rendition: Rendition, info: AudioTrackInfo];
  unit: [rendition: Rendition, au: AccessUnit];
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean; generation: number }];
  restarting: [info: { attempt: number; delayMs: number }];
  failed: [error: Error];
}

interface Run {
  proc: FfmpegChild;
  generation: number;
  startedAt: number;
  /** Preamble not yet written: waiting for the first keyframe. */
  fresh: boolean;
  closed: boolean;
  /** The sequence headers this child has been sent, to re-send only on change. */
  sentVideo?: Buffer;
  sentAudio?: Buffer;
  /** Rungs whose output is dropped until a keyframe later than the last video frame they emitted. */
  gated: Set<string>;
}

/** The DTS of the last video and audio unit a rung emitted, across ffmpeg generations. */
interface Emitted {
  video?: number;
  audio?: number;
}

/** Covers AAC priming (up to 2048 samples: 256 ms at 8 kHz) and B-frame reordering with room to spare. */
export const TIMELINE_OFFSET_MS = 1000;

const DEFAULT_RESTART: RestartPolicy = { baseMs: 500, maxMs: 30_000 };

export class Transcoder extends EventEmitter<TranscoderEvents> {
  private readonly arrivals = new ArrivalMap();
  private readonly replay = new ReplayBuffer();
  private readonly emitted = new Map<string, Emitted>();
  private readonly restart: RestartPolicy;
  private readonly maxBuffered: number;
  private run: Run | undefined;
  private video: VideoTrackInfo | undefined;
  private audio: AudioTrackInfo | undefined;
  private generationCount = 0;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  /** Dropping input until a keyframe (after a (re)start or while ffmpeg's stdin is over the limit). */
  private waitKeyframe = true;
  private dropped = 0;
  private lastDts = 0;
  private rawReader: FlvStreamReader | undefined;

  constructor(private readonly opts: TranscoderOptions) {
    super();
    this.restart = opts.restart ?? DEFAULT_RESTART;
    this.maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024;
  }

  /** Increments with every ffmpeg spawned: units of different generations are discontinuous. */
  get generation(): number {
    return this.generationCount;
  }

  get pid(): number | undefined {
    return this.run?.proc.child.pid;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.spawn();
  }

  /** The source's video configuration; a change mid-stream is forwarded as a new sequence header. */
  setVideoConfig(info: VideoTrackInfo): void {
    if (this.video && !this.video.decoderConfig.equals(info.decoderConfig)) this.replay.clear();
    this.video = info;
    if (this.run && !this.waitKeyframe) this.syncConfigs(this.run);
  }

  setAudioConfig(info: AudioTrackInfo): void {
    if (this.audio && !this.audio.audioSpecificConfig.equals(info.audioSpecificConfig)) this.replay.clear();
    this.audio = info;
    if (this.run && !this.waitKeyframe) this.syncConfigs(this.run);
  }

  writeUnit(au: AccessUnit): void {
    this.arrivals.record(au);
    this.replay.push(au);
    const run = this.run;
    if (!run || run.closed || !this.video) return;
    const stdin = run.proc.stdin;
    if (this.waitKeyframe) {
      if (au.track !== 'video' || !au.keyframe || stdin.writableLength > this.maxBuffered / 2) {
        this.dropped++;
        return;
      }
      this.resume(run, au);
    }
    this.lastDts = au.dts;
    this.send(unitTag(au, TIMELINE_OFFSET_MS));
    if (stdin.writableLength > this.maxBuffered) {
      this.waitKeyframe = true;
      this.opts.log.warn(
        { buffered: stdin.writableLength, generation: run.generation },
        'transcoder input is not keeping up; dropping source frames until the next keyframe',
      );
    }
  }

  /** A raw FLV byte stream of the source (header first), as an alternative to the unit-level calls. */
  write(flv: Buffer): void {
    this.rawReader ??= new FlvStreamReader({
      videoConfig: (info) => this.setVideoConfig(info),
      audioConfig: (info) => this.setAudioConfig(info),
      unit: (au) => this.writeUnit(au),
    });
    this.rawReader.push(flv);
  }

  /**
   * Ends the transcode: closes ffmpeg's stdin so it can flush (units may still be emitted meanwhile), then
   * SIGKILLs it after `graceMs`. Resolves once the process is gone.
   */
  async stop(graceMs = 1000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.run;
    this.state = run ? 'stopping' : 'stopped';
    if (!run || run.closed) return;
    const gone = new Promise<void>((resolve) => run.proc.child.once('close', () => resolve()));
    run.proc.stdin.end();
    if (graceMs <= 0) run.proc.child.kill('SIGKILL');
    const kill = setTimeout(() => run.proc.child.kill('SIGKILL'), Math.max(0, graceMs));
    await gone;
    clearTimeout(kill);
  }

  private resume(run: Run, au: AccessUnit): void {
    if (run.fresh) {
      run.fresh = false;
      this.send(streamPreamble(this.video, this.audio, au.dts + TIMELINE_OFFSET_MS));
      run.sentVideo = this.video?.decoderConfig;
      run.sentAudio = this.audio?.audioSpecificConfig;
    } else {
      this.syncConfigs(run); // a config that changed while input was being dropped
    }
    if (this.dropped > 0)
      this.opts.log.debug({ dropped: this.dropped, generation: run.generation }, 'transcoder input resumed at a keyframe');
    this.dropped = 0;
    this.waitKeyframe = false;
  }

  /** Sends sequence headers that differ from what this child last got (encoders repeat identical ones). */
  private syncConfigs(run: Run): void {
    if (run.fresh) return;
    if (this.video && !run.sentVideo?.equals(this.video.decoderConfig)) {
      this.send(videoConfigTag(this.video, this.lastDts + TIMELINE_OFFSET_MS));
      run.sentVideo = this.video.decoderConfig;
    }
    if (this.audio && !run.sentAudio?.equals(this.audio.audioSpecificConfig)) {
      this.send(audioConfigTag(this.audio, this.lastDts + TIMELINE_OFFSET_MS));
      run.sentAudio = this.audio.audioSpecificConfig;
    }
  }

  private send(bytes: Buffer): void {
    const run = this.run;
    if (run && !run.closed && run.proc.stdin.writable) run.proc.stdin.write(bytes);
  }

  private spawn(): void {
    const { ladder, log } = this.opts;
    const options: FfmpegArgsOptions = {
      x264Preset: this.opts.x264Preset ?? 'veryfast',
      threads: this.opts.threads,
      sourceFrameRate: this.opts.sourceFrameRate,
      ...this.opts.args,
    };
    const args = ffmpegArgs(ladder, options);
    const generation = ++this.generationCount;
    const proc = this.opts.launch
      ? this.opts.launch({ args, ladder, options })
      : spawnFfmpeg(this.opts.ffmpegPath ?? 'ffmpeg', args, ladder.length);
    const run: Run = {
      proc,
      generation,
      startedAt: Date.now(),
      fresh: true,
      closed: false,
      gated: new Set(ladder.map((r) => r.name)),
    };
    this.run = run;
    this.waitKeyframe = true;
    const context = { ffmpegPid: proc.child.pid, generation };
    logStderr(proc.stderr, log, context);
    proc.stdin.on('error', (err) => log.debug({ ...context, err: err.message }, 'ffmpeg stdin closed'));
    ladder.forEach((rendition, i) => this.readOutput(run, rendition, proc.outputs[i]!));
    proc.child.once('error', (err) => {
      log.warn({ ...context, err: err.message }, 'ffmpeg could not be started');
      if (proc.child.pid === undefined) this.closed(run, null, null);
    });
    proc.child.once('close', (code, signal) => this.closed(run, code, signal));
    if (proc.child.pid !== undefined) {
      log.info({ ...context, renditions: ladder.map((r) => r.name) }, 'transcoder started');
      this.emit('started', { pid: proc.child.pid, generation });
    }
    this.replayInto(run);
  }

  /**
   * After a restart: sends the new ffmpeg the kept source from the keyframe right after the earliest last video
   * frame any rung emitted, so the rungs continue where they stopped. Nothing is replayed before any output, when
   * no such keyframe is kept, or when the backlog is too large to send at once (then: the next keyframe).
   */
  private replayInto(run: Run): void {
    const lasts = [...this.emitted.values()].flatMap((e) => (e.video === undefined ? [] : [e.video]));
    if (lasts.length === 0 || !this.video || run.closed) return;
    const units = this.replay.after(Math.min(...lasts));
    if (!units) return;
    const bytes = units.reduce((sum, au) => sum + au.data.length, 0);
    if (bytes > this.maxBuffered / 2) return;
    this.resume(run, units[0]!);
    for (const au of units) {
      this.lastDts = au.dts;
      this.send(unitTag(au, TIMELINE_OFFSET_MS));
    }
    this.opts.log.info(
      { generation: run.generation, fromDts: units[0]!.dts, units: units.length, bytes },
      "transcoder input replayed from the source keyframe after the renditions' last frame",
    );
  }

  /** Whether a rung's output unit continues it: no audio it already has; after a (re)start, video from a later keyframe. */
  private continues(run: Run, rendition: Rendition, au: AccessUnit): boolean {
    let emitted = this.emitted.get(rendition.name);
    if (!emitted) this.emitted.set(rendition.name, (emitted = {}));
    if (au.track === 'audio') {
      if (emitted.audio !== undefined && au.dts <= emitted.audio) return false;
      emitted.audio = au.dts;
      return true;
    }
    if (run.gated.has(rendition.name)) {
      if (!au.keyframe || (emitted.video !== undefined && au.dts <= emitted.video)) return false;
      run.gated.delete(rendition.name);
    }
    emitted.video = au.dts;
    return true;
  }

  private readOutput(run: Run, rendition: Rendition, pipe: NodeJS.ReadableStream): void {
    const reader = new FlvStreamReader(
      {
        videoConfig: (info) => {
          info.frameRate ??= rendition.frameRate;
          this.emit('videoConfig', rendition, info);
        },
        audioConfig: (info) => this.emit('audioConfig', rendition, info),
        unit: (au) => {
          au.dts -= TIMELINE_OFFSET_MS;
          au.pts -= TIMELINE_OFFSET_MS;
          if (au.dts >= 0 && this.continues(run, rendition, au)) this.emit('unit', rendition, au);
        },
      },
      (track, pts) => this.arrivals.lookup(track, pts - TIMELINE_OFFSET_MS),
    );
    pipe.on('data', (chunk: Buffer) => {
      if (run.closed) return;
      try {
        reader.push(chunk);
      } catch (err) {
        this.opts.log.warn(
          { rendition: rendition.name, generation: run.generation, err: (err as Error).message },
          'unreadable rendition output; restarting ffmpeg',
        );
        run.proc.child.kill('SIGKILL');
      }
    });
    pipe.on('error', () => undefined); // the child's death shows up as 'close'
  }

  private closed(run: Run, code: number | null, signal: NodeJS.Signals | null): void {
    if (run.closed) return;
    run.closed = true;
    if (this.run === run) this.run = undefined;
    const expected = this.state !== 'running';
    this.emit('exit', { code, signal, expected, generation: run.generation });
    if (expected) {
      this.state = 'stopped';
      return;
    }
    this.scheduleRestart(run, code, signal);
  }

  private scheduleRestart(run: Run, code: number | null, signal: NodeJS.Signals | null): void {
    const { log } = this.opts;
    if (Date.now() - run.startedAt >= (this.restart.stableMs ?? 30_000)) this.attempt = 0;
    this.attempt++;
    const max = this.restart.maxRestarts;
    if (max !== undefined && this.attempt > max) {
      this.state = 'stopped';
      log.error({ code, signal, restarts: max }, 'ffmpeg keeps failing; transcoding stopped');
      this.emit('failed', new Error(`ffmpeg exited (code ${code}, signal ${signal}) after ${max} restarts`));
      return;
    }
    const delayMs = Math.min(this.restart.maxMs, this.restart.baseMs * 2 ** (this.attempt - 1));
    log.warn({ code, signal, attempt: this.attempt, delayMs, generation: run.generation }, 'ffmpeg exited; restarting');
    this.emit('restarting', { attempt: this.attempt, delayMs });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.state === 'running') this.spawn();
    }, delayMs);
  }
}
