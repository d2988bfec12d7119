// The fMP4 (CMAF) initialization segment, EXT-X-MAP: `ftyp` + `moov` with one `trak` per track (video track 1,
// audio track 2) and `mvex`/`trex`, so all samples live in movie fragments. The sample tables are empty; durations
// are zero (live). Timescales: video 90000 (as MPEG-TS, so ms → ticks is exact), audio its sample rate.

import type { AudioTrackInfo, VideoTrackInfo } from '../../types.js';
import type { TrackSet } from '../types.js';
import { box, cString, fields, fullBox, UNITY_MATRIX } from './box.js';
import { avc1, mp4a } from './sample-entries.js';

export const TRACK_ID_VIDEO = 1;
export const TRACK_ID_AUDIO = 2;
export const VIDEO_TIMESCALE = 90_000;
const MOVIE_TIMESCALE = 1000;
const BRANDS = ['iso6', 'isom', 'cmfc', 'mp41', 'dash', 'avc1'];

export function audioTimescale(audio: AudioTrackInfo): number {
  return audio.sampleRate > 0 ? audio.sampleRate : 48_000;
}

/** ftyp + moov for the given tracks. */
export function initSegment(tracks: TrackSet): Buffer {
  const traks: Buffer[] = [];
  const trexes: Buffer[] = [];
  if (tracks.video) {
    traks.push(videoTrak(tracks.video));
    trexes.push(trex(TRACK_ID_VIDEO));
  }
  if (tracks.audio) {
    traks.push(audioTrak(tracks.audio));
    trexes.push(trex(TRACK_ID_AUDIO));
  }
  return Buffer.concat([ftyp(), box('moov', mvhd(), ...traks, box('mvex', ...trexes))]);
}

export function ftyp(): Buffer {
  return box(
    'ftyp',
    fields(8 + 4 * BRANDS.length, (f) => {
      f.fourcc(BRANDS[0]!).u32(0); // major brand, minor version
      for (const b of BRANDS) f.fourcc(b);
    }),
  );
}

function mvhd(): Buffer {
  return fullBox(
    'mvhd',
    0,
    0,
    fields(96, (f) => {
      f.u32(0).u32(0); // creation, modification time
      f.u32(MOVIE_TIMESCALE).u32(0); // timescale, duration (unknown: live)
      f.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
      for (const m of UNITY_MATRIX) f.u32(m);
      f.zeros(24); // pre_defined
      f.u32(TRACK_ID_AUDIO + 1); // next_track_ID
    }),
  );
}

function tkhd(trackId: number, audio: boolean, width: number, height: number): Buffer {
  return fullBox(
    'tkhd',
    0,
    0x000003,
    fields(80, (f) => {
      // enabled | in movie
      f.u32(0).u32(0).u32(trackId).u32(0).u32(0); // creation, modification, track_ID, reserved, duration
      f.zeros(8).u16(0).u16(0); // reserved, layer, alternate_group
      f.u16(audio ? 0x0100 : 0).u16(0); // volume, reserved
      for (const m of UNITY_MATRIX) f.u32(m);
      f.u32(width * 0x10000).u32(height * 0x10000); // 16.16
    }),
  );
}

function mdhd(timescale: number): Buffer {
  return fullBox(
    'mdhd',
    0,
    0,
    fields(20, (f) => {
      f.u32(0).u32(0).u32(timescale).u32(0); // creation, modification, timescale, duration
      f.u16(0x55c4).u16(0); // language 'und' (packed ISO-639-2/T), pre_defined
    }),
  );
}

function hdlr(handler: 'vide' | 'soun', name: string): Buffer {
  const head = fields(20, (f) => f.u32(0).fourcc(handler).zeros(12)); // pre_defined, handler_type, reserved[3]
  return fullBox('hdlr', 0, 0, head, cString(name));
}

/** dinf/dref with one self-contained `url ` entry, and a stbl with empty tables around the sample description. */
function dinfAndStbl(sampleEntry: Buffer): Buffer[] {
  const dref = fullBox(
    'dref',
    0,
    0,
    fields(4, (f) => f.u32(1)),
    fullBox('url ', 0, 0x000001),
  );
  const empty = (type: string) =>
    fullBox(
      type,
      0,
      0,
      fields(4, (f) => f.u32(0)),
    ); // entry_count 0
  const stbl = box(
    'stbl',
    fullBox(
      'stsd',
      0,
      0,
      fields(4, (f) => f.u32(1)),
      sampleEntry,
    ),
    empty('stts'),
    empty('stsc'),
    fullBox(
      'stsz',
      0,
      0,
      fields(8, (f) => f.u32(0).u32(0)),
    ), // sample_size, sample_count
    empty('stco'),
  );
  return [box('dinf', dref), stbl];
}

function videoTrak(video: VideoTrackInfo): Buffer {
  const vmhd = fullBox(
    'vmhd',
    0,
    0x000001,
    fields(8, (f) => f.zeros(8)),
  ); // graphicsmode, opcolor
  const minf = box('minf', vmhd, ...dinfAndStbl(avc1(video)));
  const mdia = box('mdia', mdhd(VIDEO_TIMESCALE), hdlr('vide', 'VideoHandler'), minf);
  return box('trak', tkhd(TRACK_ID_VIDEO, false, video.width, video.height), mdia);
}

function audioTrak(audio: AudioTrackInfo): Buffer {
  const smhd = fullBox(
    'smhd',
    0,
    0,
    fields(4, (f) => f.u16(0).u16(0)),
  ); // balance, reserved
  const minf = box('minf', smhd, ...dinfAndStbl(mp4a(audio, TRACK_ID_AUDIO)));
  const mdia = box('mdia', mdhd(audioTimescale(audio)), hdlr('soun', 'SoundHandler'), minf);
  return box('trak', tkhd(TRACK_ID_AUDIO, true, 0, 0), mdia);
}

function trex(trackId: number): Buffer {
  return fullBox(
    'trex',
    0,
    0,
    fields(20, (f) => {
      f.u32(trackId).u32(1); // track_ID, default_sample_description_index
      f.u32(0).u32(0).u32(0); // default duration, size, flags (every trun carries its own)
    }),
  );
}
