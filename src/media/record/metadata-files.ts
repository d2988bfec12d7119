// The recording's metadata files, in IVS's exact JSON shape (pure): events/recording-started.json,
// events/recording-ended.json and events/recording-failed.json. Times are ISO-8601 UTC to the second.

import { eventTime } from '../../events/envelope.js';
import {
  BYTE_RANGE_MULTIVARIANT,
  BYTE_RANGE_VARIANT,
  HLS_PATH,
  LATEST_THUMBNAIL,
  MASTER_PLAYLIST,
  MEDIA_PLAYLIST,
  THUMBNAILS_PATH,
} from './layout.js';
import type { RenditionInfo } from './model.js';

export interface Size {
  width: number;
  height: number;
}

export interface RecordingFacts {
  channelArn: string;
  startedAt: Date;
  /** Recorded renditions (none with renditionSelection NONE: then there is no `hls` section). */
  renditions: readonly RenditionInfo[];
  /** Size of SEQUENTIAL thumbnails, when they are stored. */
  thumbnails?: Size;
  /** Size of the LATEST thumbnail, when it is stored. */
  latestThumbnail?: Size;
}

export interface RecordingOutcome {
  endedAt: Date;
  durationMs: number;
  /** Set: the recording could not be completed (recording-failed.json). */
  failure?: string;
}

type Json = Record<string, unknown>;

function media(facts: RecordingFacts, durationMs: number | undefined): Json {
  const out: Json = {};
  if (facts.renditions.length > 0) {
    const sorted = [...facts.renditions].sort((a, b) => b.height - a.height);
    out.hls = {
      ...(durationMs !== undefined ? { duration_ms: Math.round(durationMs) } : {}),
      path: HLS_PATH,
      playlist: MASTER_PLAYLIST,
      byte_range_playlist: BYTE_RANGE_MULTIVARIANT,
      renditions: sorted.map((r) => ({
        path: r.name,
        playlist: MEDIA_PLAYLIST,
        byte_range_playlist: BYTE_RANGE_VARIANT,
        resolution_height: r.height,
        resolution_width: r.width,
      })),
    };
  }
  if (facts.thumbnails) {
    out.thumbnails = {
      path: THUMBNAILS_PATH,
      resolution_height: facts.thumbnails.height,
      resolution_width: facts.thumbnails.width,
    };
  }
  if (facts.latestThumbnail) {
    out.latest_thumbnail = {
      path: LATEST_THUMBNAIL,
      resolution_height: facts.latestThumbnail.height,
      resolution_width: facts.latestThumbnail.width,
    };
  }
  return out;
}

export function recordingStartedJson(facts: RecordingFacts): Json {
  return {
    version: 'v1',
    channel_arn: facts.channelArn,
    recording_started_at: eventTime(facts.startedAt),
    recording_status: 'RECORDING_STARTED',
    media: media(facts, undefined),
  };
}

/** recording-ended.json, or recording-failed.json when the outcome carries a failure. */
export function recordingEndedJson(facts: RecordingFacts, outcome: RecordingOutcome): Json {
  return {
    version: 'v1',
    channel_arn: facts.channelArn,
    recording_started_at: eventTime(facts.startedAt),
    recording_ended_at: eventTime(outcome.endedAt),
    recording_status: outcome.failure ? 'RECORDING_ENDED_WITH_FAILURE' : 'RECORDING_ENDED',
    ...(outcome.failure ? { recording_status_message: outcome.failure } : {}),
    media: media(facts, outcome.durationMs),
  };
}
