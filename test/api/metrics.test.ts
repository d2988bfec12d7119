// GET /metrics without a token (loopback only, so this loopback test reads it), its methods, and the figures a
// scrape test with streams does not reach: requests that matched no operation, API errors by status, playback
// requests for unknown paths and channels, and event delivery failures with the outbox depth (a webhook sink pointed
// at a port where nothing listens, while ffmpeg's broadcast writes Stream Start/End events).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, GetChannelCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { freePort, startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import { killAllChildren, pollUntil, publish, rtmpUrl } from '../helpers/live.js';

/** The value of one series in the text format, or undefined when absent. */
function value(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('metrics: loopback access and the failure figures', { timeout: 120_000 }, () => {
  let server: TestServer;
  let ivs: IvsClient;
  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    return res.text();
  };

  before(async () => {
    const deadPort = await freePort(); // nothing listens there: every delivery fails
    server = await startServer({ args: ['--event-webhook', `http://127.0.0.1:${deadPort}/hook`] });
    ivs = ivsClient(server);
  });
  after(async () => {
    killAllChildren();
    ivs?.destroy();
    await server?.stop();
  });

  it('serves loopback without a token, GET and HEAD only', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    assert.match(text, /^# HELP openivs_live_streams /m);
    assert.match(text, /^process_cpu_seconds_total /m);
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('counts API errors by operation and status, and requests that matched no operation', async () => {
    await assert.rejects(ivs.send(new GetChannelCommand({ arn: 'arn:aws:ivs:us-west-2:000000000000:channel/abcdABCD1234' })));
    await fetch(`${server.url}/NoSuchOperation`, { method: 'POST' });
    const text = await scrape();
    assert.equal(value(text, 'openivs_api_requests_total{operation="GetChannel",status="404"}'), 1);
    assert.ok(
      (value(text, 'openivs_api_requests_total{operation="-",status="403"}') ?? 0) >= 1,
      'unsigned request to no operation',
    );
    assert.equal(value(text, 'openivs_api_request_duration_seconds_count{operation="GetChannel"}'), 1);
  });

  it('counts playback requests for unknown paths and offline channels by kind and status', async () => {
    await fetch(`${server.url}/api/video/v1/nothing-here`);
    await fetch(`${server.url}/api/video/v1/us-west-2.000000000000.channel.abcdABCD1234.m3u8`);
    await pollUntil('playback counted at close', async () => {
      const text = await scrape();
      return (
        value(text, 'openivs_playback_requests_total{kind="other",status="404"}') === 1 &&
        value(text, 'openivs_playback_requests_total{kind="multivariant",status="404"}') === 1
      );
    });
  });

  it('counts failed event deliveries by sink and shows the outbox depth', async () => {
    const created = await ivs.send(new CreateChannelCommand({ name: 'metrics-events', insecureIngest: true }));
    const publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds: 4 });
    await publisher.exited;
    const text = await pollUntil(
      'failed deliveries',
      async () => {
        const t = await scrape();
        return [...t.matchAll(/^openivs_event_delivery_failures_total\{sink="([^"]+)",outcome="retried"\} (\d+)$/gm)].some(
          (m) => Number(m[2]) > 0,
        )
          ? t
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.ok((value(text, 'openivs_event_outbox_depth') ?? 0) > 0, 'undelivered events wait in the outbox');
    assert.match(text, /^openivs_event_delivery_failures_total\{sink="webhook:[^"]*",outcome="abandoned"\} 0$/m);
  });
});
