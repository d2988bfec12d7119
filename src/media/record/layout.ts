// Where a recording's objects go, exactly as IVS lays them out in the bucket (pure). The prefix is
// `ivs/v1/<account>/<channelId>/<y>/<m>/<d>/<h>/<min>/<recordingId>` with the UTC time of the recording's
// start, parts not zero-padded; everything else is relative to it. Rendition folders are named as IVS
// names them: `<height>p<fps>` of the video (the short side for portrait), e.g. `720p30` for a 1280x720
// 30 fps source and `480p30` for a STANDARD ladder rung.

export function recordingPrefix(account: string, channelId: string, recordingId: string, startedAt: Date): string {
  const d = startedAt;
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  return ['ivs', 'v1', account, channelId, ...parts.map(String), recordingId].join('/');
}

/** `<short side>p<rounded fps>`; an unknown frame rate counts as 30 (as IVS's ladder does). */
export function renditionName(width: number, height: number, frameRate: number | undefined): string {
  const fps = frameRate !== undefined && frameRate > 0 ? Math.round(frameRate) : 30;
  return `${Math.min(width, height)}p${fps}`;
}

export const HLS_PATH = 'media/hls';
export const MASTER_PLAYLIST = 'master.m3u8';
export const BYTE_RANGE_MULTIVARIANT = 'byte-range-multivariant.m3u8';
export const MEDIA_PLAYLIST = 'playlist.m3u8';
export const BYTE_RANGE_VARIANT = 'byte-range-variant.m3u8';
export const THUMBNAILS_PATH = 'media/thumbnails';
export const LATEST_THUMBNAIL = 'media/latest_thumbnail/thumb.jpg';

/** Object keys of one recording, under its prefix. */
export class RecordingKeys {
  constructor(readonly prefix: string) {}

  private key(rel: string): string {
    return `${this.prefix}/${rel}`;
  }

  event(name: 'recording-started' | 'recording-ended' | 'recording-failed'): string {
    return this.key(`events/${name}.json`);
  }

  master(): string {
    return this.key(`${HLS_PATH}/${MASTER_PLAYLIST}`);
  }

  byteRangeMultivariant(): string {
    return this.key(`${HLS_PATH}/${BYTE_RANGE_MULTIVARIANT}`);
  }

  playlist(rendition: string): string {
    return this.key(`${HLS_PATH}/${rendition}/${MEDIA_PLAYLIST}`);
  }

  byteRangeVariant(rendition: string): string {
    return this.key(`${HLS_PATH}/${rendition}/${BYTE_RANGE_VARIANT}`);
  }

  segment(rendition: string, n: number): string {
    return this.key(`${HLS_PATH}/${rendition}/${n}.ts`);
  }

  thumbnail(rendition: string, n: number): string {
    return this.key(`${THUMBNAILS_PATH}/${rendition}/thumb${n}.jpg`);
  }

  latestThumbnail(): string {
    return this.key(LATEST_THUMBNAIL);
  }
}
