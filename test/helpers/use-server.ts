// useServer(): the openivs a test suite runs against, and what comes with it. Called in a describe block (or at the
// top of a file), it registers a before() hook that starts the companions asked for (webhook receiver, s3rver,
// headless Chromium, the IVS player page, a blank page of another origin) and the server, and an after() hook that
// tears all of it down: the suite's own `teardown`, ffmpeg children, browser, clients, server, then the companions.
//
// What it returns can be destructured at once (`const { server, ivs } = useServer()`): each member is a stand-in
// that reaches the live object once before() has run, and throws a clear error if used earlier. The IVS clients
// are renewed after a restart of the server (kill9() + restart(), or restart()), as an application would reconnect.
// The suite's own before() hooks, registered after the call, run after the server is up.

import { after, before } from 'node:test';
import { Agent } from 'node:https';
import { IvsClient } from '@aws-sdk/client-ivs';
import type { Browser } from 'playwright-core';
import { startServer, type OpenivsServer, type StartOptions } from '../../devtools/server.js';
import { startS3, type TestS3 } from '../../devtools/s3.js';
import type { IvsPlayerPage } from '../../devtools/ivs-player-page.js';
import type { BlankPage } from './browser.js';
import { killAllChildren, startWebhookReceiver, type WebhookReceiver } from './live.js';

export interface ClientOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Over the server's HTTPS port (started with `https: true`), trusting its self-signed certificate. */
  https?: boolean;
}

/** An IVS SDK client for `server` (default: account `test`/`test`, us-west-2, no retries). */
export function ivsClient(server: { url: string; httpsPort?: number }, opts: ClientOptions = {}): IvsClient {
  if (opts.https === true && server.httpsPort === undefined)
    throw new Error('ivsClient({ https: true }): the server has no HTTPS port');
  return new IvsClient({
    endpoint: opts.https === true ? `https://127.0.0.1:${server.httpsPort}` : server.url,
    region: opts.region ?? 'us-west-2',
    credentials: { accessKeyId: opts.accessKeyId ?? 'test', secretAccessKey: opts.secretAccessKey ?? 'test' },
    maxAttempts: 1,
    ...(opts.https === true ? { requestHandler: { httpsAgent: new Agent({ rejectUnauthorized: false }) } } : {}),
  });
}

/** An account the server accepts (OPENIVS_CREDENTIALS); with any, the default test/test is no longer accepted. */
export interface TestAccount {
  accessKeyId: string;
  secretAccessKey: string;
  account: string;
}

export interface UseServerOptions extends StartOptions {
  /** The accounts the server accepts instead of the default one. */
  accounts?: TestAccount[];
  /** A webhook receiver the server delivers events to (`--event-webhook`), signed with `secret` when given. */
  webhook?: true | { secret: string };
  /** An s3rver holding these buckets, which the server records to (`--s3-endpoint` and its credentials). */
  s3Buckets?: string[];
  /** Headless Chromium (devtools/browser.ts). */
  browser?: boolean;
  /** Amazon's IVS player page (devtools/ivs-player-page.ts). */
  ivsPlayerPage?: boolean;
  /** An empty page on another loopback origin, for players that reach openivs over CORS as on a real site. */
  blankPage?: boolean;
  /** Runs first in after(), while the server still runs: stop the suite's own viewers, timers and sockets. */
  teardown?: () => void | Promise<void>;
}

export interface ServerFixture {
  readonly server: OpenivsServer;
  /** The default account's client in us-west-2. */
  readonly ivs: IvsClient;
  /** Another client (account, region, HTTPS); create it at suite level or in a hook. Destroyed in after(). */
  readonly client: (opts: ClientOptions) => IvsClient;
  readonly hook: WebhookReceiver;
  readonly s3: TestS3;
  readonly browser: Browser;
  readonly ivsPlayerPage: IvsPlayerPage;
  readonly blankPage: BlankPage;
}

/**
 * A stand-in for an object that exists only once a hook has run: property reads go to `current()` (methods bound to
 * it), so it can be handed out, destructured and passed around before that.
 */
export function standIn<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_, prop) {
      if (prop === 'then') return undefined; // not a promise, whether ready or not
      const target = current();
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (_, prop) => prop in current(),
    // `instanceof` (the SDK's paginators check their client) sees the live object's class.
    getPrototypeOf: () => Object.getPrototypeOf(current()) as object | null,
  });
}

export function useServer(opts: UseServerOptions = {}): ServerFixture {
  let server: OpenivsServer | undefined;
  let hook: WebhookReceiver | undefined;
  let s3: TestS3 | undefined;
  let browser: Browser | undefined;
  let ivsPlayerPage: IvsPlayerPage | undefined;
  let blankPage: BlankPage | undefined;
  const clients: { opts: ClientOptions; built?: IvsClient; generation?: number }[] = [];

  const ready = <T>(value: T | undefined, what: string, option?: keyof UseServerOptions): T => {
    if (value !== undefined) return value;
    if (option !== undefined && !opts[option]) throw new Error(`useServer(): ${what} was not asked for (option \`${option}\`)`);
    throw new Error(`useServer(): ${what} is not ready: use it in a test, or in a before() registered after useServer()`);
  };
  const current = () => ready(server, 'the server');
  const client = (clientOpts: ClientOptions): IvsClient => {
    const entry: (typeof clients)[number] = { opts: clientOpts };
    clients.push(entry);
    return standIn(() => {
      const live = current();
      if (entry.built === undefined || entry.generation !== live.generation) {
        entry.built?.destroy();
        entry.built = ivsClient(live, clientOpts);
        entry.generation = live.generation;
      }
      return entry.built;
    });
  };

  before(async () => {
    const secret = typeof opts.webhook === 'object' ? opts.webhook.secret : undefined;
    if (opts.webhook) hook = await startWebhookReceiver(secret);
    if (opts.s3Buckets) s3 = await startS3({ buckets: opts.s3Buckets });
    const env = {
      ...s3?.serverEnv,
      ...(secret === undefined ? {} : { OPENIVS_EVENT_WEBHOOK_SECRET: secret }),
      ...(opts.accounts
        ? { OPENIVS_CREDENTIALS: opts.accounts.map((a) => `${a.accessKeyId}:${a.secretAccessKey}:${a.account}`).join(',') }
        : {}),
      ...opts.env,
    };
    const companionArgs = [...(s3?.serverArgs ?? []), ...(hook ? ['--event-webhook', hook.url] : [])];
    const { args } = opts;
    const started = await Promise.allSettled([
      startServer({
        ...opts,
        env,
        args: (ports) => [...companionArgs, ...(typeof args === 'function' ? args(ports) : (args ?? []))],
      }).then((s) => (server = s)),
      opts.browser ? import('../../devtools/browser.js').then(async (m) => (browser = await m.launchChromium())) : undefined,
      opts.ivsPlayerPage
        ? import('../../devtools/ivs-player-page.js').then(async (m) => (ivsPlayerPage = await m.startIvsPlayerPage()))
        : undefined,
      opts.blankPage ? import('./browser.js').then(async (m) => (blankPage = await m.startBlankPage())) : undefined,
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });

  after(async () => {
    await opts.teardown?.();
    killAllChildren();
    await browser?.close().catch(() => undefined);
    await ivsPlayerPage?.close();
    await blankPage?.close();
    for (const c of clients) c.built?.destroy();
    await server?.stop();
    await hook?.close();
    await s3?.dispose();
  });

  return {
    server: standIn(current),
    ivs: client({}),
    client,
    hook: standIn(() => ready(hook, 'the webhook receiver', 'webhook')),
    s3: standIn(() => ready(s3, 's3rver', 's3Buckets')),
    browser: standIn(() => ready(browser, 'the browser', 'browser')),
    ivsPlayerPage: standIn(() => ready(ivsPlayerPage, 'the IVS player page', 'ivsPlayerPage')),
    blankPage: standIn(() => ready(blankPage, 'the blank page', 'blankPage')),
  };
}
