// The recording figures on /metrics move: a channel records to a local S3 (s3rver) that goes down mid-broadcast, so
// uploads fail and wait; openivs_recording_upload_failures_total rises from 0, the upload queue and the spool hold
// what waits; once S3 is back the queue drains to 0 and the recording is whole.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pollUntil, publish, rtmpUrl } from '../helpers/live.js';
import { samplesOf, scrapeMetrics, valueOf } from '../helpers/metrics-text.js';
import { activeRecordingConfiguration, recordedChannel, waitLive, waitRecordingEvent } from '../helpers/recording.js';
import { useServer } from '../helpers/use-server.js';

const BUCKET = 'openivs-metrics-rec';

describe('metrics: recording upload failures, queue and spool during an S3 outage', { timeout: 150_000 }, () => {
  const { hook, server, ivs, s3 } = useServer({ webhook: true, s3Buckets: [BUCKET] });

  it('counts failed uploads while S3 is down and drains the queue once it is back', async () => {
    const before = await scrapeMetrics(server.url);
    assert.equal(valueOf(before, 'openivs_recording_upload_failures_total'), 0);
    assert.equal(valueOf(before, 'openivs_recording_upload_queue_depth'), 0);
    const configArn = await activeRecordingConfiguration(ivs, { bucket: BUCKET });
    const { channel, key } = await recordedChannel(ivs, 'metrics-rec', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 30 });
    await waitLive(ivs, arn);
    await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    await s3.stop(); // the first media segment closes ~10 s into the broadcast: its upload fails
    const during = await pollUntil(
      'failed uploads counted',
      async () => {
        const t = await scrapeMetrics(server.url);
        return (valueOf(t, 'openivs_recording_upload_failures_total') ?? 0) > 0 ? t : undefined;
      },
      { timeoutMs: 40_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${server.logs().slice(-3000)}`);
    });
    assert.ok((valueOf(during, 'openivs_recording_upload_queue_depth') ?? 0) > 0, 'the failed upload waits in the queue');
    assert.ok((valueOf(during, 'openivs_recording_spool_bytes') ?? 0) > 0, 'what waits is in the spool');
    assert.match(server.logs(), /upload failed, will retry/);
    await s3.restart();
    assert.equal((await pub.exited).code, 0);
    await waitRecordingEvent(hook, arn, 'Recording End', 60_000);
    const after = await pollUntil(
      'upload queue drained',
      async () => {
        const t = await scrapeMetrics(server.url);
        return valueOf(t, 'openivs_recording_upload_queue_depth') === 0 ? t : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // The counter never goes back: it counts attempts since the start.
    const failures = valueOf(after, 'openivs_recording_upload_failures_total')!;
    assert.ok(failures >= valueOf(during, 'openivs_recording_upload_failures_total')!, `failures ${failures}`);
    assert.equal(samplesOf(after, 'openivs_live_streams').length, 0, 'the broadcast ended');
  });
});
