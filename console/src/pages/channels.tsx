// The channel list: every channel of the account in this region with its live state, health and viewers (ListChannels
// and ListStreams, refreshed every few seconds), a name filter, and create / delete.

import { DeleteChannelCommand, ListChannelsCommand, ListStreamsCommand, type ChannelSummary, type StreamSummary } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { ConfirmButton, Empty, ErrorBanner, LiveBadge } from '../components/misc.js';
import { arnId } from '../lib/format.js';
import { allPages, useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import { channelHref } from '../lib/router.js';
import type { Session } from '../lib/session.js';

export const REFRESH_MS = 3000;

async function loadChannels(session: Session) {
  const ivs = ivsClient(session);
  const [channels, streams] = await Promise.all([
    allPages<ChannelSummary>(async (nextToken) => {
      const out = await ivs.send(new ListChannelsCommand({ nextToken, maxResults: 100 }));
      return { items: out.channels ?? [], nextToken: out.nextToken };
    }),
    allPages<StreamSummary>(async (nextToken) => {
      const out = await ivs.send(new ListStreamsCommand({ nextToken, maxResults: 100 }));
      return { items: out.streams ?? [], nextToken: out.nextToken };
    }),
  ]);
  return { channels, live: new Map(streams.map((s) => [s.channelArn!, s])) };
}

export function Channels({ session }: { session: Session }) {
  const data = useLoad(() => loadChannels(session), [session], REFRESH_MS);
  const [filter, setFilter] = useState('');
  const channels = (data.value?.channels ?? []).filter((c) => (c.name ?? '').toLowerCase().includes(filter.trim().toLowerCase()));
  const remove = async (arn: string) => {
    await ivsClient(session).send(new DeleteChannelCommand({ arn }));
    data.reload();
  };
  return (
    <section data-testid="channels-page">
      <div class="page-head">
        <h1>Channels</h1>
        <input class="filter" type="search" placeholder="Filter by name" value={filter} data-testid="channel-filter"
          onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} />
        <a class="button primary" href="#/channels/new" data-testid="create-channel">Create channel</a>
      </div>
      <ErrorBanner error={data.error} />
      {data.value && channels.length === 0 && <Empty>{filter ? 'No channel matches the filter.' : 'No channels yet in this region.'}</Empty>}
      {channels.length > 0 && (
        <table class="list" data-testid="channel-table">
          <thead>
            <tr><th>Name</th><th>Status</th><th>Viewers</th><th>Type</th><th>Latency</th><th>Access</th><th>Id</th><th /></tr>
          </thead>
          <tbody>
            {channels.map((c) => {
              const stream = data.value!.live.get(c.arn!);
              return (
                <tr key={c.arn} data-testid="channel-row" data-arn={c.arn} data-name={c.name}>
                  <td><a href={channelHref(c.arn!)}>{c.name || <em>(unnamed)</em>}</a></td>
                  <td><LiveBadge live={stream !== undefined} health={stream?.health} /></td>
                  <td data-testid="viewers">{stream ? stream.viewerCount ?? 0 : '—'}</td>
                  <td>{c.type}{c.preset ? ` · ${c.preset}` : ''}</td>
                  <td>{c.latencyMode}</td>
                  <td>{c.authorized ? 'private' : 'public'}</td>
                  <td class="mono">{arnId(c.arn)}</td>
                  <td class="row-actions">
                    <a class="button small" href={channelHref(c.arn!, true)}>Edit</a>
                    <ConfirmButton small label="Delete" danger question={`Delete ${c.name || 'this channel'}?`} onConfirm={() => remove(c.arn!)} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
