// Prometheus metrics scraped by a real Prometheus (issue 15, item 1): Debian's `prometheus` binary is started with its
// own config and storage directory, scraping openivs's /metrics every second with the bearer token (read from a file,
// as the README's scrape config does) while ffmpeg publishes to two channels (LOW and NORMAL latency) and a client
// plays one of them. Prometheus's HTTP query API must then return the per-stream series (labels channel_id,
// rendition: the ingest figures and the per-rendition output bit rate), the live-stream, API and playback counters,
// the publish delay histogram and the process figures. After StopStream on one channel its series go stale in
// Prometheus: ended streams leave. Access: without the token (or with a wrong one) /metrics answers 401.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, ListChannelsCommand, StopStreamCommand, type Channel, type IvsClient } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { freePort, startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import {
  get,
  killAllChildren,
  pollUntil,
  publish,
  rtmpUrl,
  sleep,
  waitForMultivariant,
  type MediaPlaylist,
  type Running,
} from '../helpers/live.js';

const PROMETHEUS = '/usr/bin/prometheus';
const TOKEN = 'metrics-token-for-the-test-0123456789';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A client that plays like a player: media playlist reloads and every new segment, until stopped. */
function player(playbackUrl: string): { stop(): Promise<void>; segments(): number } {
  let running = true;
  let fetched = 0;
  const seen = new Set<string>();
  const done = (async () => {
    const { playlist: master } = await waitForMultivariant(playbackUrl);
    const mediaUrl = new URL(master.variants[0]!.uri, playbackUrl).href;
    while (running) {
      const res = await get(mediaUrl);
      if (res.status === 200) {
        const playlist = HLS.parse(res.text) as MediaPlaylist;
        for (const s of playlist.segments) {
          const url = new URL(s.uri, mediaUrl).href;
          if (s.uri === '' || seen.has(url)) continue;
          seen.add(url);
          if ((await fetch(url).then((r) => r.arrayBuffer().then(() => r.status))) === 200) fetched++;
        }
      }
      await sleep(1_000);
    }
  })();
  return { stop: async () => ((running = false), await done), segments: () => fetched };
}

describe('metrics: a real Prometheus scrapes /metrics while two streams are live', { timeout: 180_000 }, () => {
  let server: TestServer;
  let ivs: IvsClient;
  let prometheus: ChildProcess | undefined;
  let promLog = '';
  let promUrl: string;
  const tmp = mkdtempSync(join(tmpdir(), 'openivs-prometheus-'));
  const channels: Channel[] = [];
  const publishers: Running[] = [];
  let viewer: ReturnType<typeof player> | undefined;

  const query = async (expr: string): Promise<Sample[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { resultType: string; result: Sample[] }; error?: string };
    assert.equal(body.status, 'success', `${expr}: ${body.error}`);
    return body.data.result;
  };
  /** Polls a query until `accept` says yes (Prometheus scrapes every second); returns the accepted result. */
  const until = (what: string, expr: string, accept: (r: Sample[]) => boolean, timeoutMs = 30_000) =>
    pollUntil(
      what,
      async () => {
        const r = await query(expr);
        return accept(r) ? r : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- prometheus ---\n${promLog.slice(-2000)}\n--- openivs ---\n${server.logs().slice(-2000)}`,
      );
    });
  const byChannel = (r: Sample[]) => new Map(r.map((s) => [s.metric.channel_id, Number(s.value[1])]));
  const channelId = (c: Channel) => c.arn!.slice(c.arn!.lastIndexOf('/') + 1);

  before(async () => {
    server = await startServer({ env: { OPENIVS_METRICS_TOKEN: TOKEN } });
    ivs = ivsClient(server);
    for (const latencyMode of ['LOW', 'NORMAL'] as const) {
      const out = await ivs.send(
        new CreateChannelCommand({ name: `metrics-${latencyMode}`, type: 'BASIC', latencyMode, insecureIngest: true }),
      );
      channels.push(out.channel!);
      publishers.push(publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: 120 }));
    }
    const tokenFile = join(tmp, 'token');
    writeFileSync(tokenFile, TOKEN);
    writeFileSync(
      join(tmp, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: openivs',
        '    authorization:',
        `      credentials_file: ${tokenFile}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${server.port}']`,
        '',
      ].join('\n'),
    );
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(tmp, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const append = (c: Buffer) => {
      promLog = (promLog + c.toString('utf8')).slice(-20_000);
    };
    prometheus.stdout!.on('data', append);
    prometheus.stderr!.on('data', append);
    await pollUntil(
      'prometheus ready',
      async () => {
        if (prometheus!.exitCode !== null) throw new Error(`prometheus exited ${prometheus!.exitCode}:\n${promLog}`);
        return fetch(`${promUrl}/-/ready`).then(
          (r) => r.ok || undefined,
          () => undefined,
        );
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    viewer = player(channels[0]!.playbackUrl!);
    await ivs.send(new ListChannelsCommand({}));
  });

  after(async () => {
    await viewer?.stop().catch(() => undefined);
    prometheus?.kill('SIGTERM');
    killAllChildren();
    ivs?.destroy();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses a scrape without the configured bearer token, and with a wrong one', async () => {
    const none = await fetch(`${server.url}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(await wrong.text(), /openivs_/);
    const right = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(right.status, 200);
    assert.match(right.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  });

  it('the target is up and the process and event-loop figures are there', async () => {
    await until('up', 'up{job="openivs"}', (r) => r.length === 1 && r[0]!.value[1] === '1');
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      const r = await until(name, name, (x) => x.length === 1);
      assert.ok(Number(r[0]!.value[1]) >= 0, name);
    }
  });

  it('returns the per-stream series of both live streams', async () => {
    const ids = channels.map(channelId);
    const bothLive = (r: Sample[]) => ids.every((id) => (byChannel(r).get(id) ?? 0) > 0);
    const video = await until('video bit rate of both', 'openivs_stream_ingest_video_bitrate_bits_per_second', bothLive);
    for (const s of video) assert.equal(s.metric.rendition, 'source');
    for (const [, bps] of byChannel(video)) assert.ok(bps > 50_000 && bps < 20_000_000, `video ${bps} b/s`);
    const audio = byChannel(
      await until('audio bit rate of both', 'openivs_stream_ingest_audio_bitrate_bits_per_second', bothLive),
    );
    for (const [, bps] of audio) assert.ok(bps > 10_000 && bps < 1_000_000, `audio ${bps} b/s`);
    // ffmpeg sends 30 fps with a keyframe every 60 frames: average over the last 10 s to smooth second boundaries.
    const fps = byChannel(
      await until('frame rate', 'avg_over_time(openivs_stream_ingest_framerate_frames_per_second[10s])', bothLive),
    );
    for (const [, f] of fps) assert.ok(f > 20 && f < 40, `frame rate ${f}`);
    const gop = byChannel(await until('keyframe interval', 'openivs_stream_keyframe_interval_seconds', bothLive));
    for (const [, k] of gop) assert.ok(k > 1.5 && k < 2.5, `keyframe interval ${k}`);
    // What the packager produced per rendition: BASIC channels have their source only.
    const output = await until('output bit rate of both', 'openivs_stream_output_bitrate_bits_per_second', bothLive);
    for (const s of output) assert.equal(s.metric.rendition, 'source');
    for (const [id, bps] of byChannel(output)) assert.ok(bps > 100_000 && bps < 20_000_000, `output ${id}: ${bps} b/s`);
    const views = await until(
      'one viewer of the played channel',
      'openivs_stream_concurrent_views',
      (r) => byChannel(r).get(ids[0]) === 1,
    );
    assert.equal(byChannel(views).get(ids[1]), 0);
    const live = await until(
      'two live streams',
      'openivs_live_streams',
      (r) => r.reduce((n, s) => n + Number(s.value[1]), 0) === 2,
    );
    const modes = live.map((s) => `${s.metric.channel_type}/${s.metric.latency_mode}/${s.metric.health}`).sort();
    assert.deepEqual(modes, ['BASIC/LOW/HEALTHY', 'BASIC/NORMAL/HEALTHY']);
  });

  it('counts API and playback requests, and the part and segment publish delay', async () => {
    await until(
      'CreateChannel 200',
      'openivs_api_requests_total{operation="CreateChannel",status="200"}',
      (r) => r[0]?.value[1] === '2',
    );
    await until(
      'API latency histogram',
      'openivs_api_request_duration_seconds_count{operation="ListChannels"}',
      (r) => Number(r[0]?.value[1]) >= 1,
    );
    await until(
      'segments played',
      'openivs_playback_requests_total{kind="segment",status="200"}',
      (r) => Number(r[0]?.value[1]) >= 2,
    );
    await until(
      'multivariant',
      'openivs_playback_requests_total{kind="multivariant",status="200"}',
      (r) => Number(r[0]?.value[1]) >= 1,
    );
    await until(
      'media playlists',
      'openivs_playback_requests_total{kind="media_playlist",status="200"}',
      (r) => Number(r[0]?.value[1]) >= 2,
    );
    assert.ok(viewer!.segments() >= 2);
    const parts = await until(
      'part publish delays',
      'openivs_publish_delay_seconds_count{kind="part"}',
      (r) => Number(r[0]?.value[1]) >= 10,
    );
    assert.ok(parts.length === 1);
    // Parts and segments are published as the next unit arrives: well under a second here.
    const p90 = await until(
      'segment delay p90',
      'histogram_quantile(0.9, openivs_publish_delay_seconds_bucket{kind="segment"})',
      (r) => r.length === 1 && r[0]!.value[1] !== 'NaN',
    );
    assert.ok(Number(p90[0]!.value[1]) < 1, `segment publish delay p90 ${p90[0]!.value[1]} s`);
    for (const name of [
      'openivs_transcode_slots_in_use',
      'openivs_recording_upload_queue_depth',
      'openivs_event_outbox_depth',
      'openivs_transcoder_restarts_total',
    ]) {
      await until(name, name, (r) => r.length === 1);
    }
  });

  it('counts a blocking reload whose client left while it was held as status 0, once', async () => {
    const { playlist: master } = await waitForMultivariant(channels[0]!.playbackUrl!);
    const mediaUrl = new URL(master.variants[0]!.uri, channels[0]!.playbackUrl).href;
    const playlist = HLS.parse((await get(mediaUrl)).text) as MediaPlaylist;
    // The segment after the newest one listed: held for two seconds or more (one further would be refused with 400).
    const next = playlist.mediaSequenceBase! + playlist.segments.length;
    const abandoned = 'openivs_playback_requests_total{kind="blocking_reload",status="0"}';
    const before = Number((await query(abandoned))[0]?.value[1] ?? 0);
    const req = request(`${mediaUrl}${mediaUrl.includes('?') ? '&' : '?'}_HLS_msn=${next}`);
    req.on('error', () => undefined);
    req.end();
    await sleep(300);
    req.destroy();
    await until('the abandoned reload', abandoned, (r) => Number(r[0]?.value[1]) === before + 1);
    // Counted once: not again when the stream later reaches the sequence it waited for.
    await sleep(4_500);
    assert.equal(Number((await query(abandoned))[0]!.value[1]), before + 1);
  });

  it('drops the series of a stream that ended', async () => {
    await ivs.send(new StopStreamCommand({ channelArn: channels[1]!.arn! }));
    const [kept, stopped] = channels.map(channelId);
    const r = await until(
      'only the live stream left',
      'openivs_stream_ingest_video_bitrate_bits_per_second',
      (x) => x.length === 1,
    );
    assert.equal(r[0]!.metric.channel_id, kept);
    assert.notEqual(kept, stopped);
    await until('one live stream', 'sum(openivs_live_streams)', (x) => x[0]?.value[1] === '1');
  });
});
