// The console's player (loaded on demand: hls.js is the largest part of the console): plays a live playback URL or
// a recording's master.m3u8 in a <video> with hls.js, retries while a live channel is offline, reports its state,
// and hands over the timed metadata hls.js parses (FRAG_PARSING_METADATA: PutMetadata's ID3 TXXX), minus the
// `segmentmetadata` tag every IVS segment starts with.

import Hls, { type ErrorData, type FragParsingMetadataData } from 'hls.js';
import { txxxFrames } from '../lib/id3.js';

export type PlayerState = 'loading' | 'waiting' | 'playing' | 'ended' | 'error';

export interface PlayerOptions {
  live: boolean;
  onState(state: PlayerState, message: string): void;
  /** Each PutMetadata payload, with the presentation time (s) hls.js gives it. */
  onMetadata?(text: string, pts: number): void;
}

const RETRY_OFFLINE_MS = 2_000;
const RETRY_ERROR_MS = 5_000;

/** Starts playing; returns the function that stops and releases everything. */
export function play(video: HTMLVideoElement, src: string, opts: PlayerOptions): () => void {
  let hls: Hls | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let mediaRecoveries = 0;

  const teardown = () => {
    clearTimeout(retryTimer);
    hls?.destroy();
    hls = undefined;
  };
  const retry = (state: PlayerState, message: string, ms: number) => {
    teardown();
    opts.onState(state, message);
    if (!stopped) retryTimer = setTimeout(start, ms);
  };
  const onPlaying = () => opts.onState('playing', 'Playing');
  const onEnded = () => opts.onState('ended', 'Ended');
  video.addEventListener('playing', onPlaying);
  video.addEventListener('ended', onEnded);

  function onError(_event: string, data: ErrorData) {
    if (!data.fatal || hls === undefined) return;
    const code = data.response?.code;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
      mediaRecoveries++;
      hls.recoverMediaError();
      return;
    }
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR && opts.live) {
      if (code === 404) return retry('waiting', 'Waiting for the stream: the channel is offline.', RETRY_OFFLINE_MS);
      if (code === 403) return retry('error', 'Playback refused: the channel is private and needs a valid token.', RETRY_ERROR_MS);
      if (code === 429) return retry('waiting', 'Too many viewers (concurrent-viewers quota).', RETRY_ERROR_MS);
    }
    const message = `Playback error: ${data.details}${code ? ` (HTTP ${code})` : ''}`;
    if (opts.live) retry('error', message, RETRY_ERROR_MS);
    else {
      teardown();
      opts.onState('error', message);
    }
  }

  function onMetadata(_event: string, data: FragParsingMetadataData) {
    for (const sample of data.samples) {
      for (const frame of txxxFrames(sample.data)) {
        if (frame.description === 'segmentmetadata') continue;
        opts.onMetadata?.(frame.value, sample.pts);
      }
    }
  }

  function start() {
    teardown();
    if (!Hls.isSupported()) {
      opts.onState('error', 'This browser has no Media Source Extensions.');
      return;
    }
    opts.onState('loading', 'Loading…');
    const instance = new Hls({ lowLatencyMode: opts.live, workerPath: '/_openivs/player/hls.worker.js' });
    hls = instance;
    // The <video> gets a MediaSource only once there is something to play (an offline channel is polled without).
    instance.on(Hls.Events.MANIFEST_PARSED, () => instance.attachMedia(video));
    instance.on(Hls.Events.MEDIA_ATTACHED, () => {
      video.play().catch((err: Error) => {
        if (err.name === 'NotAllowedError') opts.onState('loading', 'Press play (the browser blocked autoplay).');
      });
    });
    instance.on(Hls.Events.ERROR, onError);
    instance.on(Hls.Events.FRAG_PARSING_METADATA, onMetadata);
    instance.loadSource(src);
  }

  start();
  return () => {
    stopped = true;
    teardown();
    video.removeEventListener('playing', onPlaying);
    video.removeEventListener('ended', onEnded);
    video.removeAttribute('src');
    video.load();
  };
}
