// Pure HLS playlist renderers (RFC 8216): the media playlist of one rendition and the multivariant playlist listing
// renditions. No I/O and no URL policy: callers pass URIs (or a function producing them), so delivery can add
// tokens, CDN prefixes or LL-HLS tags without touching this module.

import { adMarkerLines } from './ad-markers.js';
import type { MediaPlaylistState, Segment } from './types.js';

export interface MediaPlaylistInput extends MediaPlaylistState {
  /** Adds EXT-X-INDEPENDENT-SEGMENTS when every listed segment starts with a keyframe. */
  independentSegments?: boolean;
  /** fMP4: URI of the initialization section (EXT-X-MAP, which needs version 7 for fMP4 segments). */
  mapUri?: string;
}

export type SegmentUri = (segment: Segment) => string;

/**
 * EXT-X-TARGETDURATION: the largest EXTINF rounded to the nearest integer (the RFC 8216 4.3.3.1 bound; rounding up
 * instead would turn every 2.002 s segment of a 29.97 fps stream into a target of 3, and hls.js waits 3 targets
 * behind the live edge).
 */
export function targetDurationFor(segments: readonly Segment[], floorS = 1): number {
  let target = floorS;
  for (const s of segments) target = Math.max(target, Math.round(s.durationMs / 1000));
  return target;
}

export function renderMediaPlaylist(input: MediaPlaylistInput, uri: SegmentUri): string {
  const lines = [
    '#EXTM3U',
    input.mapUri === undefined ? '#EXT-X-VERSION:3' : '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDurationFor(input.segments, input.targetDurationS ?? 1)}`,
    `#EXT-X-MEDIA-SEQUENCE:${input.mediaSequence}`,
  ];
  if (input.mapUri !== undefined) lines.push(`#EXT-X-MAP:URI="${input.mapUri}"`);
  if (input.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${input.discontinuitySequence}`);
  if (input.independentSegments && input.segments.every((s) => s.independent)) {
    lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  }
  for (const [i, s] of input.segments.entries()) {
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (input.adBreaks) lines.push(...adMarkerLines(input.adBreaks, input.segments, i));
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.programDateTime.toISOString()}`);
    lines.push(`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`);
    lines.push(uri(s));
  }
  if (input.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

export interface RenditionEntry {
  uri: string;
  /** Peak segment bit rate, bits/s (BANDWIDTH). */
  bandwidth: number;
  /** Average bit rate, bits/s (AVERAGE-BANDWIDTH), when measured. */
  averageBandwidth?: number;
  /** RFC 6381 codec strings, e.g. ['avc1.64001f', 'mp4a.40.2']. */
  codecs: string[];
  width?: number;
  height?: number;
  frameRate?: number;
  /**
   * A rendition without video names itself as IVS does: an `EXT-X-MEDIA:TYPE=VIDEO` group without URI (the video,
   * none, is in the variant's own stream) whose NAME players show as the quality's name, e.g. `audio_only`.
   */
  videoGroup?: string;
}

export interface MultivariantInput {
  renditions: readonly RenditionEntry[];
  independentSegments?: boolean;
  /**
   * The server's clock when the playlist is served (epoch ms), as `EXT-X-SESSION-DATA` `SERVER-TIME` (seconds): Amazon's
   * IVS player takes its clock from it to read the segments' `transc_r` times (segment-metadata.ts) as latency, so a
   * viewer whose clock is off does not chase a latency it does not have. Only in per-viewer (uncached) playlists.
   */
  serverTimeMs?: number;
}

/** Renditions are listed in the given order (players start with the first). */
export function renderMultivariantPlaylist(input: MultivariantInput): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  if (input.independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  if (input.serverTimeMs !== undefined) {
    lines.push(`#EXT-X-SESSION-DATA:DATA-ID="SERVER-TIME",VALUE="${(input.serverTimeMs / 1000).toFixed(3)}"`);
  }
  for (const group of new Set(input.renditions.map((r) => r.videoGroup))) {
    if (group !== undefined) {
      lines.push(`#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="${group}",NAME="${group}",AUTOSELECT=NO,DEFAULT=NO`);
    }
  }
  for (const r of input.renditions) {
    lines.push(`#EXT-X-STREAM-INF:${streamInfAttributes(r).join(',')}`);
    lines.push(r.uri);
  }
  return lines.join('\n') + '\n';
}

function streamInfAttributes(r: RenditionEntry): string[] {
  const attrs = [`BANDWIDTH=${Math.round(r.bandwidth)}`];
  if (r.averageBandwidth !== undefined) attrs.push(`AVERAGE-BANDWIDTH=${Math.round(r.averageBandwidth)}`);
  if (r.width && r.height) attrs.push(`RESOLUTION=${r.width}x${r.height}`);
  if (r.codecs.length > 0) attrs.push(`CODECS="${r.codecs.join(',')}"`);
  if (r.frameRate) attrs.push(`FRAME-RATE=${r.frameRate.toFixed(3)}`);
  if (r.videoGroup !== undefined) attrs.push(`VIDEO="${r.videoGroup}"`);
  return attrs;
}
