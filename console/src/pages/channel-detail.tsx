// A channel's page: its settings and playback URL, ingest (server URLs and stream key), the live part while it
// broadcasts (preview, charts, timed metadata, stop), its stream sessions and its recordings.

import { DeleteChannelCommand, GetChannelCommand, GetStreamCommand, ListTagsForResourceCommand, type Channel, type _Stream } from '@aws-sdk/client-ivs';
import { ConfirmButton, CopyButton, ErrorBanner, LiveBadge } from '../components/misc.js';
import { failureOf } from '../lib/errors.js';
import { arnId, time } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import { channelHref, navigate } from '../lib/router.js';
import type { Session } from '../lib/session.js';
import { ChannelIngest } from './channel-ingest.js';
import { ChannelLive } from './channel-live.js';
import { ChannelRecordings } from './channel-recordings.js';
import { ChannelSessions } from './channel-sessions.js';

const STREAM_REFRESH_MS = 2000;

async function loadStream(session: Session, arn: string): Promise<_Stream | null> {
  try {
    return (await ivsClient(session).send(new GetStreamCommand({ channelArn: arn }))).stream ?? null;
  } catch (err) {
    if (failureOf(err).name === 'ChannelNotBroadcasting') return null;
    throw err;
  }
}

export function ChannelDetail({ session, arn }: { session: Session; arn: string }) {
  const channel = useLoad(async () => {
    const ivs = ivsClient(session);
    const [c, t] = await Promise.all([ivs.send(new GetChannelCommand({ arn })), ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }))]);
    return { ...c.channel!, tags: t.tags ?? {} };
  }, [session, arn]);
  const stream = useLoad(() => loadStream(session, arn), [session, arn], STREAM_REFRESH_MS);
  const c = channel.value;
  const live = stream.value ?? undefined;
  const remove = async () => {
    await ivsClient(session).send(new DeleteChannelCommand({ arn }));
    navigate('#/channels');
  };
  if (channel.error) return <section><ErrorBanner error={channel.error} /><a href="#/channels">Back to channels</a></section>;
  if (!c) return <section><p class="muted">Loading…</p></section>;
  return (
    <section data-testid="channel-page" data-arn={arn}>
      <div class="page-head">
        <h1>{c.name || <em>(unnamed channel)</em>}</h1>
        <LiveBadge live={live !== undefined} health={live?.health} />
        {live && <span class="viewers" data-testid="viewer-count">{live.viewerCount ?? 0} viewers</span>}
        <span class="spacer" />
        <a class="button" href={channelHref(arn, true)} data-testid="edit-channel">Edit</a>
        <ConfirmButton label="Delete" danger question="Delete this channel and its stream key?" onConfirm={remove} testId="delete-channel" />
      </div>
      <ErrorBanner error={stream.error} />
      <div class="grid two">
        <Overview channel={c} stream={live} />
        <ChannelIngest session={session} channel={c} />
      </div>
      {live && <ChannelLive session={session} channel={c} stream={live} onStopped={stream.reload} />}
      {!live && stream.value === null && <div class="card muted" data-testid="offline-note">The channel is offline. Start your encoder with the ingest settings above; the preview and charts appear when it goes live.</div>}
      <ChannelSessions session={session} arn={arn} live={live?.streamId} />
      {c.recordingConfigurationArn && <ChannelRecordings session={session} arn={arn} />}
    </section>
  );
}

function Overview({ channel: c, stream }: { channel: Channel & { tags: Record<string, string> }; stream: _Stream | undefined }) {
  const rows: [string, string | undefined][] = [
    ['ARN', c.arn], ['Type', c.preset ? `${c.type} (${c.preset})` : c.type], ['Latency mode', c.latencyMode],
    ['Container format', c.containerFormat], ['Playback', c.authorized ? 'private (token required)' : 'public'],
    ['Insecure ingest', c.insecureIngest ? 'allowed' : 'no'],
    ['Recording configuration', c.recordingConfigurationArn ? arnId(c.recordingConfigurationArn) : 'none'],
    ['Restriction policy', c.playbackRestrictionPolicyArn ? arnId(c.playbackRestrictionPolicyArn) : 'none'],
    ['Multitrack input', c.multitrackInputConfiguration?.enabled ? `${c.multitrackInputConfiguration.policy}, up to ${c.multitrackInputConfiguration.maximumResolution}` : 'off'],
  ];
  if (stream) rows.push(['Stream', `${stream.streamId} since ${time(stream.startTime)}`]);
  return (
    <div class="card">
      <h2>Channel</h2>
      <dl class="props">
        {rows.map(([k, v]) => [<dt key={`${k}t`}>{k}</dt>, <dd key={`${k}d`} class={k === 'ARN' ? 'mono' : ''}>{v ?? '—'}</dd>])}
        <dt>Playback URL</dt>
        <dd class="mono"><span data-testid="playback-url">{c.playbackUrl}</span> <CopyButton text={c.playbackUrl ?? ''} /></dd>
        <dt>Tags</dt>
        <dd>{Object.keys(c.tags).length === 0 ? 'none' : Object.entries(c.tags).map(([k, v]) => <span key={k} class="tag">{k}={v}</span>)}</dd>
      </dl>
    </div>
  );
}
