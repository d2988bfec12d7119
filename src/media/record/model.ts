// What a recording is made of, as the journal remembers it and the playlists and metadata files
// describe it: renditions, their ~10 s segment files, and the ~2 s live segments (pieces) appended to
// each file, whose byte ranges make the byte-range playlists. Pure data and arithmetic.

export interface RecordedPiece {
  offset: number;
  length: number;
  durationMs: number;
  /** Ad-break tags (EXT-X-DATERANGE, EXT-X-CUE-OUT/CUE-OUT-CONT/CUE-IN) the live playlist had before this piece. */
  cues?: string[];
}

export interface RecordedFile {
  /** Segment number: `<n>.ts`, counting from 0 for the whole recording (it continues across reconnects). */
  n: number;
  /** Preceded by EXT-X-DISCONTINUITY (a reconnect, or the live packager saw a timestamp jump / track change). */
  discontinuity: boolean;
  pieces: RecordedPiece[];
}

export interface RenditionInfo {
  name: string;
  width: number;
  height: number;
  frameRate: number | undefined;
  /** RFC 6381 codecs of the rendition's tracks, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
}

export interface RecordedRendition extends RenditionInfo {
  files: RecordedFile[];
}

export const fileDurationMs = (f: RecordedFile): number => f.pieces.reduce((sum, p) => sum + p.durationMs, 0);
export const fileBytes = (f: RecordedFile): number => f.pieces.reduce((sum, p) => sum + p.length, 0);

export function renditionDurationMs(r: RecordedRendition): number {
  return r.files.reduce((sum, f) => sum + fileDurationMs(f), 0);
}

/** Peak bits per second over the rendition's files (BANDWIDTH); average over all (AVERAGE-BANDWIDTH). */
export function renditionBandwidth(r: RecordedRendition): { peak: number; average: number } {
  let peak = 0;
  let bytes = 0;
  let ms = 0;
  for (const f of r.files) {
    const d = fileDurationMs(f);
    const b = fileBytes(f);
    bytes += b;
    ms += d;
    if (d > 0) peak = Math.max(peak, (b * 8 * 1000) / d);
  }
  return { peak: Math.round(peak), average: ms > 0 ? Math.round((bytes * 8 * 1000) / ms) : 0 };
}
