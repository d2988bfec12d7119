// The live part of a channel's page while it broadcasts: a preview (hls.js; private channels play with a token
// minted in this browser from a pasted private key, which never leaves it), the timed metadata the preview
// receives, a PutMetadata box, StopStream, and charts of the ingest bit rate, frame rate, keyframe interval and
// viewers (openivs's /_openivs/streams/metrics, refreshed every two seconds).

import { PutMetadataCommand, StopStreamCommand, type Channel, type _Stream } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { Chart } from '../components/chart.js';
import { ConfirmButton, ErrorBanner } from '../components/misc.js';
import { PlayerView } from '../components/player-view.js';
import { describe } from '../lib/errors.js';
import { bitrate, clock } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import { streamMetrics } from '../lib/openivs.js';
import type { Session } from '../lib/session.js';

interface Props {
  session: Session;
  channel: Channel;
  stream: _Stream;
  onStopped: () => void;
}

export function ChannelLive({ session, channel, stream, onStopped }: Props) {
  const stop = async () => {
    await ivsClient(session).send(new StopStreamCommand({ channelArn: channel.arn }));
    onStopped();
  };
  return (
    <div class="card live-card" data-testid="live">
      <div class="card-head">
        <h2>Live</h2>
        <span class="spacer" />
        <ConfirmButton label="Stop stream" danger question="Disconnect the broadcaster?" onConfirm={stop} testId="stop-stream" />
      </div>
      <div class="grid two">
        <Preview channel={channel} streamId={stream.streamId!} />
        <MetadataBox session={session} channelArn={channel.arn!} />
      </div>
      <Charts session={session} channelArn={channel.arn!} />
    </div>
  );
}

interface Cue {
  text: string;
  pts: number;
  at: number;
}

function Preview({ channel, streamId }: { channel: Channel; streamId: string }) {
  const [cues, setCues] = useState<Cue[]>([]);
  const [pem, setPem] = useState('');
  const [token, setToken] = useState<string>();
  const [tokenError, setTokenError] = useState<string>();
  const mint = async () => {
    setTokenError(undefined);
    try {
      const { mintPlaybackToken } = await import('../player/token.js');
      setToken(await mintPlaybackToken(pem, channel.arn!));
    } catch (err) {
      setTokenError(`The key could not sign a token: ${(err as Error).message}`);
    }
  };
  const onMetadata = (text: string, pts: number) => setCues((list) => [{ text, pts, at: Date.now() }, ...list].slice(0, 50));
  const needsToken = channel.authorized === true;
  const src = needsToken ? (token ? `${channel.playbackUrl}?token=${encodeURIComponent(token)}` : undefined) : channel.playbackUrl;
  return (
    <div class="preview">
      <h3>Preview</h3>
      {needsToken && !token && (
        <div class="token-box" data-testid="token-box">
          <p class="muted small">Private channel: paste the private key (PEM) of one of this account's playback key pairs. A token is
            signed here, in your browser; the key is never sent anywhere.</p>
          <textarea rows={5} placeholder="-----BEGIN EC PRIVATE KEY-----" value={pem} data-testid="private-key"
            onInput={(e) => setPem((e.currentTarget as HTMLTextAreaElement).value)} />
          <button type="button" class="primary" onClick={mint} data-testid="mint-token">Sign a token and play</button>
          {tokenError && <div class="alert error" role="alert">{tokenError}</div>}
        </div>
      )}
      {src && <PlayerView key={`${streamId}:${src}`} src={src} live testId="preview-video" onMetadata={onMetadata} />}
      {needsToken && token && <button type="button" class="small" onClick={() => setToken(undefined)} data-testid="change-key">Use another key</button>}
      <h4>Timed metadata received by the preview</h4>
      <ol class="cues" data-testid="metadata-received">
        {cues.length === 0 && <li class="muted">none yet</li>}
        {cues.map((c) => <li key={`${c.at}:${c.pts}`} data-testid="cue"><time>{clock(c.at)}</time> <code>{c.text}</code></li>)}
      </ol>
    </div>
  );
}

function MetadataBox({ session, channelArn }: { session: Session; channelArn: string }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<{ ok: boolean; message: string }>();
  const send = async (e: Event) => {
    e.preventDefault();
    try {
      await ivsClient(session).send(new PutMetadataCommand({ channelArn, metadata: text }));
      setResult({ ok: true, message: `Sent at ${clock(Date.now())}` });
    } catch (err) {
      setResult({ ok: false, message: describe(err) });
    }
  };
  return (
    <form class="metadata-box" onSubmit={send} data-testid="put-metadata">
      <h3>Timed metadata (PutMetadata)</h3>
      <textarea rows={4} maxLength={1024} placeholder='{"question": "…"}' value={text} name="metadata"
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      <div class="actions">
        <button class="primary" type="submit" disabled={text === ''} data-testid="send-metadata">Send</button>
        <span class="muted small">{new TextEncoder().encode(text).length} / 1024 bytes</span>
      </div>
      {result && <div class={`alert ${result.ok ? 'ok' : 'error'}`} role="status" data-testid="metadata-result">{result.message}</div>}
    </form>
  );
}

const fps = (v: number) => `${v.toFixed(1)} fps`;
const seconds = (v: number) => `${v.toFixed(1)} s`;
const count = (v: number) => String(Math.round(v));

function Charts({ session, channelArn }: { session: Session; channelArn: string }) {
  const metrics = useLoad(() => streamMetrics(session, channelArn), [session, channelArn], 2000);
  const samples = metrics.value?.samples ?? [];
  const series = (pick: (s: (typeof samples)[number]) => number | null) =>
    samples.flatMap((s): [number, number][] => { const v = pick(s); return v === null ? [] : [[s.time, v]]; });
  return (
    <div class="charts" data-testid="charts">
      <ErrorBanner error={metrics.error} />
      <Chart id="bitrate" title="Ingest bit rate" format={bitrate} series={[
        { name: 'video', className: 's1', points: series((s) => s.ingestVideoBitrate) },
        { name: 'audio', className: 's2', points: series((s) => s.ingestAudioBitrate) },
      ]} />
      <Chart id="framerate" title="Ingest frame rate" format={fps} series={[{ name: 'frame rate', className: 's1', points: series((s) => s.ingestFramerate) }]} />
      <Chart id="keyframe" title="Keyframe interval" format={seconds} series={[{ name: 'interval', className: 's3', points: series((s) => s.keyframeInterval) }]} />
      <Chart id="viewers" title="Concurrent views" format={count} series={[{ name: 'viewers', className: 's4', points: series((s) => s.concurrentViews) }]} />
    </div>
  );
}
