// The recording's HLS playlists (pure): per rendition a `playlist.m3u8` listing the ~10 s files and a
// `byte-range-variant.m3u8` listing the ~2 s pieces inside them with EXT-X-BYTERANGE, plus the two
// multivariant playlists pointing at them. While the broadcast runs they are EVENT playlists (IVS
// updates them as it goes); the final ones are VOD with EXT-X-ENDLIST. Ad breaks (InsertAdBreak) appear as in the
// live playlists: the tags the live packager put before each piece are kept with it in the journal.

import { BYTE_RANGE_VARIANT, MEDIA_PLAYLIST } from './layout.js';
import { fileDurationMs, renditionBandwidth, type RecordedFile, type RecordedRendition } from './model.js';

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const targetDuration = (maxMs: number): number => Math.max(1, Math.ceil(maxMs / 1000));

function header(version: number, target: number, ended: boolean): string[] {
  return [
    '#EXTM3U',
    `#EXT-X-VERSION:${version}`,
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`,
  ];
}

export function recordedMediaPlaylist(files: readonly RecordedFile[], ended: boolean): string {
  const lines = header(3, targetDuration(Math.max(0, ...files.map(fileDurationMs))), ended);
  for (const f of files) {
    if (f.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(...fileCues(f));
    lines.push(`#EXTINF:${seconds(fileDurationMs(f))},`, `${f.n}.ts`);
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

const PDT_TAG = '#EXT-X-PROGRAM-DATE-TIME:';

/**
 * A ~10 s file stands for its pieces: their break starts and ends (not the per-piece CUE-OUT-CONT) go before it,
 * with the file's EXT-X-PROGRAM-DATE-TIME worked back from the first piece that carries one.
 */
function fileCues(f: RecordedFile): string[] {
  const cues: string[] = [];
  let fileStart: number | undefined;
  let offsetMs = 0;
  for (const p of f.pieces) {
    for (const c of p.cues ?? []) {
      if (c.startsWith(PDT_TAG)) fileStart ??= Date.parse(c.slice(PDT_TAG.length)) - offsetMs;
      else if (!c.startsWith('#EXT-X-CUE-OUT-CONT')) cues.push(c);
    }
    offsetMs += p.durationMs;
  }
  if (fileStart !== undefined && Number.isFinite(fileStart)) cues.push(`${PDT_TAG}${new Date(fileStart).toISOString()}`);
  return cues;
}

export function recordedByteRangePlaylist(files: readonly RecordedFile[], ended: boolean): string {
  const longest = Math.max(0, ...files.flatMap((f) => f.pieces.map((p) => p.durationMs)));
  const lines = header(4, targetDuration(longest), ended);
  for (const f of files) {
    f.pieces.forEach((p, i) => {
      if (i === 0 && f.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(...(p.cues ?? []));
      lines.push(`#EXTINF:${seconds(p.durationMs)},`, `#EXT-X-BYTERANGE:${p.length}@${p.offset}`, `${f.n}.ts`);
    });
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** Multivariant playlist over the renditions (highest first); `byteRange` points at the byte-range variants. */
export function recordedMultivariant(renditions: readonly RecordedRendition[], byteRange: boolean): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${byteRange ? 4 : 3}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  const sorted = [...renditions].sort((a, b) => b.height - a.height || (b.frameRate ?? 0) - (a.frameRate ?? 0));
  for (const r of sorted) {
    if (r.files.length === 0) continue;
    const bw = renditionBandwidth(r);
    const attrs = [`BANDWIDTH=${Math.max(1, bw.peak)}`, `AVERAGE-BANDWIDTH=${Math.max(1, bw.average)}`];
    if (r.width > 0 && r.height > 0) attrs.push(`RESOLUTION=${r.width}x${r.height}`);
    if (r.frameRate) attrs.push(`FRAME-RATE=${r.frameRate.toFixed(3)}`);
    if (r.codecs) attrs.push(`CODECS="${r.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, `${r.name}/${byteRange ? BYTE_RANGE_VARIANT : MEDIA_PLAYLIST}`);
  }
  return lines.join('\n') + '\n';
}
