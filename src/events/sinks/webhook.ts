// Webhook sink: POSTs each event's envelope JSON to one configured URL.
//
// Request: `content-type: application/json`, body = the EventBridge envelope, plus
//   x-openivs-event-id:   the envelope id (the same on every retry: use it to de-duplicate, since
//                         delivery is at-least-once)
//   x-openivs-timestamp:  Unix time in seconds when this attempt was sent
//   x-openivs-signature:  sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>, only when a
//                         secret is configured
//
// Verifying a delivery (receiver side, Node.js):
//   const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
//   ok = timingSafeEqual(Buffer.from(expected), Buffer.from(signatureHeader))   // equal lengths first
//        && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300                 // reject replays
// Compute it over the raw body bytes, before any JSON parsing. verifyWebhookSignature() does this.
//
// Any 2xx is success; any other status, a network error or no answer within the timeout (10 s) is
// a retryable failure. Redirects are not followed: events go only to the configured URL.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { describeError, sinkName, type Delivery, type Sink } from '../sink.js';

export interface WebhookSinkOptions {
  url: string;
  /** HMAC key; when absent no signature header is sent. */
  secret?: string;
  timeoutMs?: number;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;

export class WebhookSink implements Sink {
  readonly name: string;
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #timeoutMs: number;

  constructor(opts: WebhookSinkOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`webhook URL must be http(s), got ${url.protocol}`);
    }
    this.#url = url.href;
    this.#secret = opts.secret === '' ? undefined : opts.secret;
    this.#timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.name = sinkName('webhook', this.#url);
  }

  async deliver(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'openivs-webhook/1',
      'x-openivs-event-id': delivery.eventId,
      'x-openivs-timestamp': timestamp,
    };
    if (this.#secret !== undefined) {
      headers['x-openivs-signature'] = signWebhook(this.#secret, timestamp, delivery.payload);
    }
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers,
        body: delivery.payload,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
    } catch (err) {
      throw new Error(`webhook request failed: ${describeError(err)}`, { cause: err });
    }
    // Read (a little of) the body either way so the keep-alive connection can be reused.
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status > 299) {
      throw new Error(`webhook answered ${res.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`);
    }
  }
}

/** The x-openivs-signature value for a body sent at timestamp (Unix seconds, as a string). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver-side check: signature matches and timestamp is within toleranceSec of now. */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  toleranceSec = 300,
  nowMs = Date.now(),
): boolean {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
