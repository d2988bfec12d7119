// HLS playlists read with hls-parser, told which kind to expect: a media playlist or a multivariant one, failing with
// the playlist's text when it is the other kind.

import assert from 'node:assert/strict';
import HLS from 'hls-parser';
import type { types as hlsTypes } from 'hls-parser';

export type MasterPlaylist = hlsTypes.MasterPlaylist;
export type MediaPlaylist = hlsTypes.MediaPlaylist;

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const parsed = HLS.parse(text);
  assert.ok(!parsed.isMasterPlaylist, `a media playlist, not a multivariant one:\n${text}`);
  return parsed;
}

export function parseMultivariant(text: string): MasterPlaylist {
  const parsed = HLS.parse(text);
  assert.ok(parsed.isMasterPlaylist, `a multivariant playlist, not a media one:\n${text}`);
  return parsed;
}
