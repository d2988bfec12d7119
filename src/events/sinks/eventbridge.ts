// EventBridge sink: forwards each envelope with PutEvents to an event bus on AWS or any compatible
// endpoint (LocalStack, a self-hosted bus). The SDK's own retries are off (maxAttempts 1) because
// the dispatcher retries with its persistent backoff; a response with FailedEntryCount > 0 counts
// as a failure and is retried too.
//
// Note for real AWS: EventBridge reserves `aws.*` sources for AWS services and rejects PutEvents
// entries that use them, so set `source` (e.g. `openivs.ivs`) there and match it in your rules.

import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { IvsEventEnvelope } from '../envelope.js';
import { sinkName, type Delivery, type Sink } from '../sink.js';

export interface EventBridgeSinkOptions {
  /** e.g. http://localhost:4566; default: the region's AWS endpoint. */
  endpoint?: string;
  region: string;
  /** Name or ARN of the bus; default `default`. */
  eventBusName?: string;
  /** Default: the AWS SDK's default credential chain (env, profile, instance role …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Entry Source; default `aws.ivs` (see the note above for real AWS). */
  source?: string;
  timeoutMs?: number;
}

export class EventBridgeSink implements Sink {
  readonly name: string;
  readonly #client: EventBridgeClient;
  readonly #bus: string;
  readonly #source: string | undefined;
  readonly #timeoutMs: number;

  constructor(opts: EventBridgeSinkOptions) {
    this.#bus = opts.eventBusName ?? 'default';
    this.#source = opts.source;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.name = sinkName('eventbridge', `${opts.endpoint ?? ''}|${opts.region}|${this.#bus}`);
    this.#client = new EventBridgeClient({
      region: opts.region,
      maxAttempts: 1,
      ...(opts.endpoint !== undefined && { endpoint: opts.endpoint }),
      ...(opts.credentials !== undefined && { credentials: opts.credentials }),
    });
  }

  async deliver(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const envelope = JSON.parse(delivery.payload) as IvsEventEnvelope<object>;
    const entry = toPutEventsEntry(envelope, this.#bus, this.#source);
    const out = await this.#client.send(new PutEventsCommand({ Entries: [entry] }), {
      abortSignal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
    });
    if ((out.FailedEntryCount ?? 0) > 0) {
      const failed = out.Entries?.find((e) => e.ErrorCode !== undefined);
      throw new Error(`PutEvents rejected the entry: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim());
    }
  }

  close(): void {
    this.#client.destroy();
  }
}

/** Maps an IVS envelope onto a PutEvents entry; EventBridge rebuilds the same envelope around it. */
export function toPutEventsEntry(env: IvsEventEnvelope<object>, eventBusName: string, source?: string): PutEventsRequestEntry {
  return {
    Source: source ?? env.source,
    DetailType: env['detail-type'],
    Detail: JSON.stringify(env.detail),
    Resources: env.resources,
    Time: new Date(env.time),
    EventBusName: eventBusName,
  };
}
