// A channel's recordings, from the bucket of its recording configuration (local disk or S3) through openivs's
// /_openivs/recordings route: start, duration, state, a thumbnail, and a player for the recording's master.m3u8.

import { useState } from 'preact/hooks';
import { Empty, ErrorBanner } from '../components/misc.js';
import { PlayerView } from '../components/player-view.js';
import { duration, time } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { channelRecordings, type Recording } from '../lib/openivs.js';
import type { Session } from '../lib/session.js';

export function ChannelRecordings({ session, arn }: { session: Session; arn: string }) {
  const list = useLoad(() => channelRecordings(session, arn), [session, arn], 10_000);
  const [playing, setPlaying] = useState<Recording>();
  const recordings = list.value?.recordings ?? [];
  return (
    <div class="card" data-testid="recordings">
      <div class="card-head">
        <h2>Recordings</h2>
        {list.value?.bucketName && <span class="muted small">bucket {list.value.bucketName} ({list.value.storage === 's3' ? 'S3' : 'local disk'})</span>}
        <span class="spacer" />
        <button type="button" class="small" onClick={list.reload}>Refresh</button>
      </div>
      <ErrorBanner error={list.error} />
      {list.value && recordings.length === 0 && <Empty>No recordings yet.</Empty>}
      {playing?.masterPlaylistUrl && (
        <div class="vod">
          <h3>{time(playing.startedAt)}</h3>
          <PlayerView key={playing.prefix} src={playing.masterPlaylistUrl} live={false} testId="vod-video" />
        </div>
      )}
      <ul class="recordings">
        {recordings.map((r) => (
          <li key={r.prefix} data-testid="recording" data-status={r.status}>
            <div class="thumb">{r.thumbnailUrl ? <img src={r.thumbnailUrl} alt="" loading="lazy" data-testid="recording-thumbnail" /> : <span class="muted">no thumbnail</span>}</div>
            <div>
              <strong>{time(r.startedAt)}</strong>
              <div class="muted small">
                {r.status === 'RECORDING_STARTED' ? 'recording…' : r.durationMs !== undefined ? duration(r.durationMs) : ''}
                {r.renditions.length > 0 && ` · ${r.renditions.map((x) => x.path).join(', ')}`}
              </div>
              {r.statusMessage && <div class="inline-error">{r.statusMessage}</div>}
              {r.masterPlaylistUrl && <button type="button" class="small" data-testid="play-recording" onClick={() => setPlaying(r)}>Play</button>}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
