// When a broadcast becomes LIVE. `Stream Start` is what applications start their players on (IVS's own samples do),
// and GetStream/ListStreams saying LIVE is what others poll for; so both wait until the stream plays: until the
// multivariant playlist answers 200 and every rendition it lists has a complete segment, which any player
// (hls.js, Safari, ffmpeg, amazon-ivs-player; LL-HLS or not, TS or fMP4 with its init section) starts on without
// an empty-playlist error or a blocking wait. The alternative (answer the playback URL from the first keyframe and
// hold media playlists until their first part) would save about one segment of start-up, but a multivariant
// playlist without a finished segment has no measured BANDWIDTH, no CODECS of the transcoded rungs, and plain HLS
// players treat an empty live playlist as an error; IVS itself announces streams seconds after ingest starts.
//
// STANDARD channels: the transcoded rungs finish their first segment a little after the source (ffmpeg starts at
// the first keyframe and adds its own delay). A player reads the ladder once, from the multivariant playlist it
// loads on Stream Start, so announcing with the source alone would leave it without the rungs for its whole session
// (no adaptive bit rate, and a token with aws:maximum-resolution below the source would find nothing to play). So
// the announcement waits for every rung too, but at most `ladderGraceMs` past the source: a transcoder that fails or
// lags does not hold the stream back, and the multivariant playlist then lists the renditions that have a segment.

import type { HlsSegmenter } from '../package/segmenter.js';
import type { LiveStream } from './live-stream.js';

/** How long past the source's first segment the announcement waits for transcoded renditions. */
export const LADDER_GRACE_MS = 6_000;

const hasSegment = (segmenter: HlsSegmenter) => segmenter.window.last !== undefined;

/**
 * Calls `announce` once, when the stream is ready (see above), unless it ends first. Returns a cancel function.
 * Listens to the renditions the stream has now (transcoded ones are created with the transcoder, at the first keyframe).
 */
export function whenPlayable(
  stream: LiveStream,
  announce: () => void,
  ladderGraceMs = LADDER_GRACE_MS,
  now: () => number = Date.now,
): () => void {
  const renditions = [...stream.renditions.values()];
  let sourceReadyAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const cancel = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    for (const r of renditions) r.off('segment', check);
  };
  function check(): void {
    if (done) return;
    if (stream.ended) return cancel();
    if (!hasSegment(stream.source)) return;
    sourceReadyAt ??= now();
    const waited = now() - sourceReadyAt;
    if (renditions.every(hasSegment) || waited >= ladderGraceMs) {
      cancel();
      announce();
      return;
    }
    if (!timer) {
      // Timers run on the event loop's cached clock, which may lag Date.now(): one can fire a little before the
      // grace is over by now()'s count, and must then be armed again rather than leave the watch without one.
      timer = setTimeout(() => {
        timer = undefined;
        check();
      }, ladderGraceMs - waited);
      timer.unref();
    }
  }
  for (const r of renditions) r.on('segment', check);
  check();
  return cancel;
}
