// Where to send the stream: the server URLs (RTMPS; RTMP where the channel or the server allows it; SRT when the
// channel has an SRT endpoint) and the stream key, hidden until asked for, with copy and rotate (DeleteStreamKey then
// CreateStreamKey: the old key stops working at once).

import { CreateStreamKeyCommand, DeleteStreamKeyCommand, GetStreamKeyCommand, ListStreamKeysCommand, type Channel } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { ConfirmButton, CopyButton } from '../components/misc.js';
import { describe } from '../lib/errors.js';
import { ivsClient } from '../lib/ivs.js';
import { serverFacts } from '../lib/server-facts.js';
import type { Session } from '../lib/session.js';

interface IngestUrl {
  label: string;
  url: string;
}

function ingestUrls(c: Channel): IngestUrl[] {
  const host = c.ingestEndpoint ?? location.hostname;
  const urls: IngestUrl[] = [];
  if (serverFacts.rtmpsPort !== undefined) urls.push({ label: 'RTMPS', url: `rtmps://${host}:${serverFacts.rtmpsPort}/app/` });
  if ((c.insecureIngest || serverFacts.allowInsecureIngest) && serverFacts.rtmpPort !== undefined) {
    urls.push({ label: 'RTMP', url: `rtmp://${host}:${serverFacts.rtmpPort}/app/` });
  }
  const srt = (c as Channel & { srt?: { endpoint?: string } }).srt;
  if (srt?.endpoint) {
    const endpoint = /:\d+$/.test(srt.endpoint) ? srt.endpoint : `${srt.endpoint}:${serverFacts.srtPort ?? 9000}`;
    urls.push({ label: 'SRT', url: `srt://${endpoint}` });
  }
  return urls;
}

export function ChannelIngest({ session, channel }: { session: Session; channel: Channel }) {
  const [key, setKey] = useState<{ arn: string; value: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const urls = ingestUrls(channel);
  const srt = (channel as Channel & { srt?: { passphrase?: string } }).srt;

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const ivs = ivsClient(session);
      const list = await ivs.send(new ListStreamKeysCommand({ channelArn: channel.arn }));
      const arn = list.streamKeys?.[0]?.arn;
      if (!arn) {
        setError('This channel has no stream key: create one with Rotate.');
        return;
      }
      const got = await ivs.send(new GetStreamKeyCommand({ arn }));
      setKey({ arn, value: got.streamKey?.value ?? '' });
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const rotate = async () => {
    const ivs = ivsClient(session);
    const list = await ivs.send(new ListStreamKeysCommand({ channelArn: channel.arn }));
    for (const k of list.streamKeys ?? []) await ivs.send(new DeleteStreamKeyCommand({ arn: k.arn }));
    const created = await ivs.send(new CreateStreamKeyCommand({ channelArn: channel.arn }));
    setKey({ arn: created.streamKey!.arn!, value: created.streamKey!.value! });
  };

  return (
    <div class="card" data-testid="ingest">
      <h2>Ingest</h2>
      <dl class="props">
        {urls.length === 0 && (
          <>
            <dt>Server</dt>
            <dd class="muted">No ingest URL for this channel: this openivs has no RTMPS port (start with --rtmps-port) and the channel does not allow insecure ingest.</dd>
          </>
        )}
        {urls.map((u) => [
          <dt key={`${u.label}t`}>{u.label} server</dt>,
          <dd key={`${u.label}d`} class="mono"><span data-testid={`ingest-${u.label.toLowerCase()}`}>{u.url}</span> <CopyButton text={u.url} /></dd>,
        ])}
        {srt?.passphrase && (
          <>
            <dt>SRT passphrase</dt>
            <dd class="mono">{key ? srt.passphrase : '••••••••'}</dd>
          </>
        )}
        <dt>Stream key</dt>
        <dd class="mono stream-key">
          {key ? <span data-testid="stream-key">{key.value}</span> : <span class="muted" data-testid="stream-key-hidden">hidden</span>}{' '}
          {!key && <button type="button" class="small" disabled={busy} onClick={reveal} data-testid="show-stream-key">Show</button>}
          {key && <CopyButton text={key.value} />}
          {key && <button type="button" class="small" onClick={() => setKey(undefined)}>Hide</button>}
          <ConfirmButton small label="Rotate" question="Replace the stream key? The current key stops working." onConfirm={rotate} testId="rotate-stream-key" />
        </dd>
      </dl>
      {error && <div class="alert error" role="alert">{error}</div>}
      <p class="muted small">OBS: Settings → Stream → Service <em>Custom</em>, the server URL above, and the stream key.</p>
    </div>
  );
}
