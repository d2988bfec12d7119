// ffmpeg as the publisher of the tests and benchmarks: the lavfi test pattern (testsrc2 and a 440 Hz tone), the
// encoder arguments of the test publisher (H.264 + AAC: test/helpers/publish-clip.ts sends them pre-encoded, in a
// loop), and openivs's ingest URLs.

/** ffmpeg inputs: the testsrc2 pattern at `size` (e.g. 1280x720) and `rate` fps, and a 48 kHz 440 Hz sine. */
export function testPattern(size: string, rate = 30): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
}

export interface LivePublishOptions {
  /** Seconds of media to send (real time, -re). Default 10. */
  seconds?: number;
  /** testsrc2 size. Default 640x360. */
  size?: string;
  /** Caps the video at this many kbit/s (also the VBV max rate and buffer), e.g. within a channel type's ingest limit. */
  videoKbps?: number;
  /** AAC bit rate in kbit/s (ffmpeg's default when unset). */
  audioKbps?: number;
}

/**
 * The encoder arguments of the test publisher (video, then audio), without input or output: x264 veryfast with
 * zerolatency tuning and a keyframe every 2 s (60 frames at 30 fps), AAC.
 */
export function encodeArgs(opts: Pick<LivePublishOptions, 'videoKbps' | 'audioKbps'> = {}): string[] {
  const { videoKbps, audioKbps } = opts;
  const v = `${videoKbps}k`;
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-g',
    '60',
    ...(videoKbps === undefined ? [] : ['-b:v', v, '-maxrate', v, '-bufsize', v]),
    '-c:a',
    'aac',
    ...(audioKbps === undefined ? [] : ['-b:a', `${audioKbps}k`]),
  ];
}

/**
 * `ffmpeg -re -stream_loop -1 -i <clip> [-t seconds] -c copy -f <format> <url>`: a real-time publisher looping a
 * pre-encoded clip without re-encoding it (for `seconds`, or until stopped).
 */
export function loopClipArgs(clip: string, format: 'flv' | 'mpegts', url: string, seconds?: number): string[] {
  const duration = seconds === undefined ? [] : ['-t', String(seconds)];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    clip,
    ...duration,
    '-c',
    'copy',
    '-f',
    format,
    url,
  ];
}

export function rtmpUrl(port: number, streamKey: string): string {
  return `rtmp://127.0.0.1:${port}/app/${streamKey}`;
}

export function rtmpsUrl(port: number, streamKey: string): string {
  return `rtmps://127.0.0.1:${port}/app/${streamKey}`;
}
