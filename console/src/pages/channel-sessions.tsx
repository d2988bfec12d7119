// A channel's stream sessions (ListStreamSessions, newest first); one opens (GetStreamSession) to its event timeline
// (Session Created, Stream Start, health changes, recording, Stream End…), its ingest configuration (what the encoder
// sent: codec, profile, resolution, bit rate, frame rate, audio) and its recording configuration.

import { GetStreamSessionCommand, ListStreamSessionsCommand, type StreamSession } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { Empty, ErrorBanner } from '../components/misc.js';
import { bitrate, clock, time } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

export function ChannelSessions({ session, arn, live }: { session: Session; arn: string; live?: string }) {
  const list = useLoad(async () => (await ivsClient(session).send(new ListStreamSessionsCommand({ channelArn: arn, maxResults: 20 }))).streamSessions ?? [],
    [session, arn, live], 10_000);
  // Follows the newest session (a new broadcast opens itself) until the user picks one.
  const [picked, setPicked] = useState<string>();
  const open = picked ?? list.value?.[0]?.streamId;
  return (
    <div class="card" data-testid="sessions">
      <h2>Stream sessions</h2>
      <ErrorBanner error={list.error} />
      {list.value?.length === 0 && <Empty>No broadcasts yet.</Empty>}
      {list.value && list.value.length > 0 && (
        <div class="grid sessions">
          <ul class="session-list">
            {list.value.map((s) => (
              <li key={s.streamId}>
                <button type="button" class={`link${open === s.streamId ? ' selected' : ''}`} data-testid="session" onClick={() => setPicked(s.streamId)}>
                  {time(s.startTime)} {s.endTime ? `– ${clock(s.endTime)}` : <span class="badge live">LIVE</span>}
                  {s.hasErrorEvent && <span class="badge health-starving">error</span>}
                </button>
              </li>
            ))}
          </ul>
          {open && <SessionDetail key={open} session={session} arn={arn} streamId={open} live={open === live} />}
        </div>
      )}
    </div>
  );
}

function SessionDetail({ session, arn, streamId, live }: { session: Session; arn: string; streamId: string; live: boolean }) {
  const got = useLoad(async () => (await ivsClient(session).send(new GetStreamSessionCommand({ channelArn: arn, streamId }))).streamSession,
    [session, arn, streamId], live ? 5000 : undefined);
  const s: StreamSession | undefined = got.value;
  if (got.error) return <ErrorBanner error={got.error} />;
  if (!s) return <p class="muted">Loading…</p>;
  const video = s.ingestConfiguration?.video;
  const audio = s.ingestConfiguration?.audio;
  // The API lists events newest first; oldest first reads as a timeline (reversed first, so ties keep their order).
  const events = [...(s.truncatedEvents ?? [])].reverse().sort((a, b) => (a.eventTime?.getTime() ?? 0) - (b.eventTime?.getTime() ?? 0));
  return (
    <div class="session-detail" data-testid="session-detail" data-stream-id={streamId}>
      <h3 class="mono">{streamId}</h3>
      <div class="grid two">
        <div>
          <h4>Events</h4>
          <ol class="timeline" data-testid="timeline">
            {events.map((e, i) => (
              <li key={i} class={e.name === 'Stream Failure' || e.name?.includes('Failure') ? 'bad' : ''} data-testid="timeline-event">
                <time>{e.eventTime ? clock(e.eventTime) : ''}</time> <strong>{e.name}</strong> <span class="muted">{e.type?.replace(/^IVS /, '')}</span>
                {e.code && <span class="muted"> ({e.code})</span>}
              </li>
            ))}
          </ol>
        </div>
        <div>
          <h4>Ingest configuration</h4>
          <dl class="props" data-testid="ingest-configuration">
            {video && (
              <>
                <dt>Video</dt>
                <dd>{video.codec} {video.avcProfile} {video.avcLevel}, {video.videoWidth}×{video.videoHeight} @ {video.targetFramerate} fps</dd>
                <dt>Video bit rate</dt><dd>{bitrate(video.targetBitrate ?? 0)}</dd>
                <dt>Encoder</dt><dd>{video.encoder || '—'}</dd>
              </>
            )}
            {audio && (
              <>
                <dt>Audio</dt><dd>{audio.codec}, {audio.sampleRate} Hz, {audio.channels} ch</dd>
                <dt>Audio bit rate</dt><dd>{bitrate(audio.targetBitrate ?? 0)}</dd>
              </>
            )}
            {!video && !audio && <><dt>Media</dt><dd class="muted">not known yet</dd></>}
            <dt>Started</dt><dd>{time(s.startTime)}</dd>
            <dt>Ended</dt><dd>{s.endTime ? time(s.endTime) : 'live'}</dd>
            <dt>Recording</dt><dd>{s.recordingConfiguration?.name || s.recordingConfiguration?.arn || 'not recorded'}</dd>
          </dl>
        </div>
      </div>
    </div>
  );
}
