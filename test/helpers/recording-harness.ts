// The setup every recording test file shares: a webhook receiver for the recording events, an openivs server
// delivering to it (recording to local disk, or to a fresh s3rver with the given buckets), an IVS client, and the
// teardown of all of it. Also waitLive, for "the broadcast is live" as GetStream sees it.

import { GetStreamCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { killAllChildren, pollUntil, startWebhookReceiver, type WebhookReceiver } from './live.js';
import { startS3, type TestS3 } from './s3.js';
import { ivsClient, startServer, type TestServer } from './server.js';

export interface RecordingHarness {
  hook: WebhookReceiver;
  server: TestServer;
  ivs: IvsClient;
  /** Present when s3Buckets were given: the server records to it. */
  s3?: TestS3;
  close(): Promise<void>;
}

export interface RecordingHarnessOptions {
  /** Signs the webhook deliveries (OPENIVS_EVENT_WEBHOOK_SECRET); unsigned when omitted. */
  webhookSecret?: string;
  /** Records to a new s3rver holding these buckets instead of the local disk. */
  s3Buckets?: string[];
  args?: string[];
}

export async function startRecordingHarness(opts: RecordingHarnessOptions = {}): Promise<RecordingHarness> {
  const hook = await startWebhookReceiver(opts.webhookSecret);
  const s3 = opts.s3Buckets ? await startS3({ buckets: opts.s3Buckets }) : undefined;
  const env: Record<string, string> = { ...s3?.serverEnv };
  if (opts.webhookSecret) env.OPENIVS_EVENT_WEBHOOK_SECRET = opts.webhookSecret;
  const server = await startServer({ env, args: [...(s3?.serverArgs ?? []), '--event-webhook', hook.url, ...(opts.args ?? [])] });
  const ivs = ivsClient(server);
  return {
    hook, server, ivs, s3,
    async close() {
      killAllChildren();
      ivs.destroy();
      await server.stop();
      await hook.close();
      await s3?.dispose();
    },
  };
}

/** The stream id of the channel's broadcast, once GetStream reports it live. */
export function waitLive(ivs: IvsClient, channelArn: string): Promise<string> {
  return pollUntil('stream live', async () =>
    (await ivs.send(new GetStreamCommand({ channelArn })).catch(() => undefined))?.stream?.streamId);
}
