// Accounts and regions in the console: with two credentials configured, each account sees only its own channels
// and events (the event pane of one never shows the other's broadcast), a channel ARN of another account opens as
// "not found", a region switch shows that region's (separate) set, and Switch account signs in as the other.
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the tests' TypeScript has no DOM lib */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { openConsole, screenshot, signIn, text, useConsole, type ConsolePage } from '../helpers/console-page.js';
import { publish, rtmpUrl, sleep } from '../helpers/live.js';
import { ivsClient } from '../helpers/use-server.js';

declare const document: any;

const ALICE = { accessKeyId: 'alice', secretAccessKey: 'alice-secret-key', account: '111111111111' };
const BOB = { accessKeyId: 'bob', secretAccessKey: 'bob-secret-key', account: '222222222222' };

describe('operator console: accounts never see each other', { timeout: 150_000 }, () => {
  const { server, browser } = useConsole({
    server: {
      env: { OPENIVS_CREDENTIALS: [ALICE, BOB].map((c) => `${c.accessKeyId}:${c.secretAccessKey}:${c.account}`).join(',') },
    },
    page: false,
  });
  let alice: ConsolePage;
  let bob: ConsolePage;
  let aliceIvs: IvsClient;
  let bobIvs: IvsClient;
  let aliceArn: string;

  before(async () => {
    aliceIvs = ivsClient(server, ALICE);
    bobIvs = ivsClient(server, BOB);
    const a = await aliceIvs.send(new CreateChannelCommand({ name: 'alice-channel', type: 'BASIC', insecureIngest: true }));
    aliceArn = a.channel!.arn!;
    await bobIvs.send(new CreateChannelCommand({ name: 'bob-channel', type: 'BASIC' }));
    // Two pages are two browser contexts: two sessionStorages, two signed-in accounts.
    alice = await openConsole(browser, server.url);
    bob = await openConsole(browser, server.url);
    await signIn(alice.page, ALICE.accessKeyId, ALICE.secretAccessKey);
    await signIn(bob.page, BOB.accessKeyId, BOB.secretAccessKey);
    await alice.page.waitForSelector('[data-testid=event-pane][data-status=open]');
    await bob.page.waitForSelector('[data-testid=event-pane][data-status=open]');
    publish(rtmpUrl(server.rtmpPort, a.streamKey!.value!), { seconds: 60 });
  });
  after(() => {
    aliceIvs?.destroy();
    bobIvs?.destroy();
  });

  it("lists only the account's own channels and events", async () => {
    await alice.page.waitForSelector('[data-testid=channel-row][data-name=alice-channel] [data-testid=live-badge]', {
      timeout: 30_000,
    });
    await alice.page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=event]')].some((e: any) => e.textContent.includes('Stream Start')),
      null,
      { timeout: 15_000 },
    );
    await bob.page.waitForSelector('[data-testid=channel-row][data-name=bob-channel]');
    await sleep(3_000); // two more list refreshes and any event that might leak
    assert.deepEqual(await bob.page.$$eval('[data-testid=channel-row]', (rows: any[]) => rows.map((r) => r.dataset.name)), [
      'bob-channel',
    ]);
    assert.equal(
      await bob.page.$$eval('[data-testid=event]', (rows: any[]) => rows.length),
      0,
      "bob's event pane shows alice's events",
    );
    assert.deepEqual(await alice.page.$$eval('[data-testid=channel-row]', (rows: any[]) => rows.map((r) => r.dataset.name)), [
      'alice-channel',
    ]);
    await screenshot(bob.page, '12-account-bob-channels');
  });

  it("opens another account's channel ARN as not found", async () => {
    await bob.page.goto(`${server.url}/console/#/channel/${encodeURIComponent(aliceArn)}`);
    const error = await (await bob.page.waitForSelector('[data-testid=error-banner]')).textContent();
    assert.match(error ?? '', /ResourceNotFoundException/);
    assert.equal(await bob.page.$('[data-testid=channel-page]'), null);
  });

  it('switches region (a separate set) and account', async () => {
    await bob.page.goto(`${server.url}/console/#/channels`);
    await bob.page.waitForSelector('[data-testid=channel-row][data-name=bob-channel]');
    await bob.page.selectOption('.top select[name=region]', 'eu-west-1');
    await bob.page.waitForSelector('[data-testid=channels-page] .empty');
    assert.equal(await bob.page.$$eval('[data-testid=channel-row]', (rows: any[]) => rows.length), 0);
    await bob.page.click('[data-testid=switch-account]');
    // The sign-in form keeps the region in use; alice's channel is in us-west-2.
    assert.equal(
      await bob.page.$eval('[data-testid=sign-in-form] select[name=region]', (s: any) => s.value as string),
      'eu-west-1',
    );
    await signIn(bob.page, ALICE.accessKeyId, ALICE.secretAccessKey, 'us-west-2');
    await bob.page.waitForSelector('[data-testid=channel-row][data-name=alice-channel] [data-testid=live-badge]');
    assert.equal(await text(bob.page, '[data-testid=identity]'), 'alice');
    await screenshot(bob.page, '13-account-switched');
  });
});
