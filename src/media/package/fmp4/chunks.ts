// CMAF chunks within an LL-HLS part: a part's samples split into several small moof+mdat pairs, one per video frame
// (the audio frames that start during it ride along), or for audio alone one per AUDIO_FRAMES_PER_CHUNK frames.
//
// Why: Amazon's IVS player reads a prefetch fMP4 segment as it streams in with its Mp4ChunkReader, which hands media
// to MSE every `samplesPerFlush` (5) movie fragments, or when the response ends. With one fragment per 333 ms part it
// held a whole 2 s segment back until the segment was complete (measured: six parts arrived a third of a second apart
// and were appended at once, when the last one came), so its buffer ran dry at every segment boundary under load.
// With one fragment per frame it appends within four frames of arrival, as it does for TS. Players that read a part
// as a unit (hls.js, Safari) are indifferent: a part may hold any number of complete fragments.
//
// The split keeps the exact timing of the whole run: each chunk's base decode time is the run's plus the durations of
// the samples before it, and those durations were computed over the whole run (track-run.ts).

import type { TrackRun } from './track-run.js';

/** Audio-only renditions: AAC frames per chunk (3 × 1024 samples ≈ 64 ms at 48 kHz: five chunks ≈ one part). */
export const AUDIO_FRAMES_PER_CHUNK = 3;

/** The samples [from, to) of a run as a run of their own, starting at their own decode time. */
export function sliceRun(run: TrackRun, from: number, to: number): TrackRun {
  let base = run.baseDecodeTime;
  for (let i = 0; i < from; i++) base += run.samples[i]!.duration;
  const samples = run.samples.slice(from, to);
  let dataSize = 0;
  for (const s of samples) dataSize += s.size;
  return { ...run, baseDecodeTime: base, samples, data: run.data.slice(from, to), dataSize };
}

/** Start times of a run's samples in seconds. */
function startTimes(run: TrackRun, timescale: number): number[] {
  const out: number[] = [];
  let t = run.baseDecodeTime;
  for (const s of run.samples) {
    out.push(t / timescale);
    t += s.duration;
  }
  return out;
}

/**
 * One fragment's runs per chunk, in order. With video, chunk k is video sample k plus the audio samples starting
 * before video sample k+1 (audio before the first frame joins the first chunk, audio after the last frame the last).
 */
export function splitIntoChunks(
  video: { run: TrackRun; timescale: number } | undefined,
  audio: { run: TrackRun; timescale: number } | undefined,
): TrackRun[][] {
  const v = video && video.run.samples.length > 0 ? video : undefined;
  const a = audio && audio.run.samples.length > 0 ? audio : undefined;
  if (!v) {
    if (!a) return [];
    const chunks: TrackRun[][] = [];
    for (let i = 0; i < a.run.samples.length; i += AUDIO_FRAMES_PER_CHUNK) {
      chunks.push([sliceRun(a.run, i, Math.min(i + AUDIO_FRAMES_PER_CHUNK, a.run.samples.length))]);
    }
    return chunks;
  }
  const videoStarts = startTimes(v.run, v.timescale);
  const audioStarts = a ? startTimes(a.run, a.timescale) : [];
  const chunks: TrackRun[][] = [];
  let audioFrom = 0;
  for (let k = 0; k < videoStarts.length; k++) {
    const runs = [sliceRun(v.run, k, k + 1)];
    if (a) {
      const next = k + 1 < videoStarts.length ? videoStarts[k + 1]! : Infinity;
      let audioTo = audioFrom;
      while (audioTo < audioStarts.length && audioStarts[audioTo]! < next) audioTo++;
      if (audioTo > audioFrom) runs.push(sliceRun(a.run, audioFrom, audioTo));
      audioFrom = audioTo;
    }
    chunks.push(runs);
  }
  return chunks;
}
