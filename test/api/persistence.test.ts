// Persistence across restarts on the same data dir: a graceful SIGTERM (exit 0) keeps everything;
// a SIGKILL right after responses keeps every acknowledged write; listings stay consistent.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  CreateStreamKeyCommand,
  DeleteChannelCommand,
  DeleteRecordingConfigurationCommand,
  DeleteStreamKeyCommand,
  GetChannelCommand,
  GetPlaybackKeyPairCommand,
  GetPlaybackRestrictionPolicyCommand,
  GetRecordingConfigurationCommand,
  GetStreamKeyCommand,
  ImportPlaybackKeyPairCommand,
  ListChannelsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { expectError, p384PublicKey } from '../helpers/assert.js';
import { signHeaders, startInProgressRequest } from '../helpers/http.js';

describe('persistence across restarts', () => {
  const { server, ivs } = useServer();

  async function listArns(maxResults = 4): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await ivs.send(new ListChannelsCommand({ maxResults, nextToken: token }));
      out.push(...page.channels!.map((c) => c.arn!));
      token = page.nextToken;
    } while (token);
    return out;
  }

  async function sigterm(): Promise<void> {
    const proc = server.proc;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => proc.once('exit', (c, s) => r([c, s])));
    proc.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.equal(code, 0, `SIGTERM exit code (signal ${signal})\n${server.logs()}`);
  }

  const snapshot: Record<string, unknown> = {};
  const arns: Record<string, string> = {};
  let listedBefore: string[] = [];
  let tokenBefore: string | undefined;

  it('graceful SIGTERM then restart keeps every resource', async () => {
    const rc = await ivs.send(
      new CreateRecordingConfigurationCommand({
        name: 'kept',
        destinationConfiguration: { s3: { bucketName: 'kept-bucket' } },
        recordingReconnectWindowSeconds: 30,
      }),
    );
    arns.rc = rc.recordingConfiguration!.arn!;
    const pol = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'kept', allowedCountries: ['NL'] }));
    arns.pol = pol.playbackRestrictionPolicy!.arn!;
    const kp = await ivs.send(new ImportPlaybackKeyPairCommand({ name: 'kept', publicKeyMaterial: p384PublicKey() }));
    arns.kp = kp.keyPair!.arn!;
    const main = await ivs.send(
      new CreateChannelCommand({
        name: 'main',
        type: 'BASIC',
        recordingConfigurationArn: arns.rc,
        playbackRestrictionPolicyArn: arns.pol,
        tags: { keep: 'me' },
      }),
    );
    arns.channel = main.channel!.arn!;
    // Rotate the key so the stored one is the second.
    await ivs.send(new DeleteStreamKeyCommand({ arn: main.streamKey!.arn }));
    const key = await ivs.send(new CreateStreamKeyCommand({ channelArn: arns.channel }));
    arns.key = key.streamKey!.arn!;
    for (let i = 0; i < 6; i++) await ivs.send(new CreateChannelCommand({ name: `filler-${i}` }));
    await ivs.send(new TagResourceCommand({ resourceArn: arns.key, tags: { k: 'v' } }));

    snapshot.channel = (await ivs.send(new GetChannelCommand({ arn: arns.channel }))).channel;
    snapshot.key = (await ivs.send(new GetStreamKeyCommand({ arn: arns.key }))).streamKey;
    snapshot.rc = (await ivs.send(new GetRecordingConfigurationCommand({ arn: arns.rc }))).recordingConfiguration;
    snapshot.pol = (await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: arns.pol }))).playbackRestrictionPolicy;
    snapshot.kp = (await ivs.send(new GetPlaybackKeyPairCommand({ arn: arns.kp }))).keyPair;
    listedBefore = await listArns();
    assert.equal(listedBefore.length, 7);
    tokenBefore = (await ivs.send(new ListChannelsCommand({ maxResults: 4 }))).nextToken;

    await sigterm();
    assert.ok(readdirSync(server.dataDir).length > 0, 'data dir holds the database');
    await server.restart();

    assert.deepEqual((await ivs.send(new GetChannelCommand({ arn: arns.channel }))).channel, snapshot.channel);
    assert.deepEqual((await ivs.send(new GetStreamKeyCommand({ arn: arns.key }))).streamKey, snapshot.key);
    const rcAfter = (await ivs.send(new GetRecordingConfigurationCommand({ arn: arns.rc }))).recordingConfiguration!;
    assert.deepEqual({ ...rcAfter, state: undefined }, { ...(snapshot.rc as object), state: undefined });
    assert.deepEqual(
      (await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: arns.pol }))).playbackRestrictionPolicy,
      snapshot.pol,
    );
    assert.deepEqual((await ivs.send(new GetPlaybackKeyPairCommand({ arn: arns.kp }))).keyPair, snapshot.kp);
    assert.deepEqual(await listArns(), listedBefore, 'same channels, same order');
  });

  it('rules still hold after the restart (references, one key per channel, tags)', async () => {
    await expectError(ivs.send(new DeleteRecordingConfigurationCommand({ arn: arns.rc })), 'ConflictException', 409);
    await expectError(ivs.send(new CreateStreamKeyCommand({ channelArn: arns.channel })), 'ServiceQuotaExceededException', 402);
    const tags = await ivs.send(new ListTagsForResourceCommand({ resourceArn: arns.key }));
    assert.deepEqual(tags.tags, { k: 'v' });
    const byRc = await ivs.send(new ListChannelsCommand({ filterByRecordingConfigurationArn: arns.rc }));
    assert.deepEqual(
      byRc.channels!.map((c) => c.arn),
      [arns.channel],
    );
  });

  it('a nextToken issued before the restart still works after it', async () => {
    assert.ok(tokenBefore);
    const page = await ivs.send(new ListChannelsCommand({ maxResults: 4, nextToken: tokenBefore }));
    assert.deepEqual(
      page.channels!.map((c) => c.arn),
      listedBefore.slice(4, 7),
    );
  });

  it('SIGKILL right after responses loses no acknowledged write', async () => {
    // Concurrent creates, then deletes and tags; kill -9 as soon as the last response arrives.
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ivs.send(new CreateChannelCommand({ name: `burst-${i}`, tags: { burst: String(i) } })),
      ),
    );
    const createdArns = created.map((c) => c.channel!.arn!);
    const keyValues = new Map(created.map((c) => [c.channel!.arn!, c.streamKey!.value!]));
    const deleted = createdArns.slice(0, 3);
    await Promise.all(deleted.map((arn) => ivs.send(new DeleteChannelCommand({ arn }))));
    await Promise.all(
      createdArns.slice(3, 6).map((arn) => ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { late: 'tag' } }))),
    );
    const last = await ivs.send(new CreateChannelCommand({ name: 'last-write' }));
    const info = await server.kill9();
    assert.equal(info.signal, 'SIGKILL');

    await server.restart();
    for (const arn of deleted) {
      await expectError(ivs.send(new GetChannelCommand({ arn })), 'ResourceNotFoundException', 404);
    }
    for (const c of created.slice(3)) {
      const arn = c.channel!.arn!;
      const got = await ivs.send(new GetChannelCommand({ arn }));
      assert.equal(got.channel!.name, c.channel!.name);
      const keys = await ivs.send(new GetStreamKeyCommand({ arn: c.streamKey!.arn }));
      assert.equal(keys.streamKey!.value, keyValues.get(arn));
    }
    for (const arn of createdArns.slice(3, 6)) {
      const tags = await ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      assert.equal(tags.tags!.late, 'tag', `tags of ${arn}`);
    }
    await ivs.send(new GetChannelCommand({ arn: last.channel!.arn }));

    const listed = await listArns(4);
    assert.equal(new Set(listed).size, listed.length, 'no duplicates across pages');
    const expected = [...listedBefore, ...createdArns.slice(3), last.channel!.arn!];
    assert.deepEqual([...listed].sort(), [...expected].sort());
    assert.deepEqual(await listArns(5), listed, 'order independent of page size');
  });

  it('SIGTERM with requests in flight: exit 0, no 5xx, every acknowledged write kept', async () => {
    const before = new Set(await listArns(100));
    const inFlight = Array.from({ length: 20 }, (_, i) => ivs.send(new CreateChannelCommand({ name: `drain-${i}` })));
    await Promise.race(inFlight.map((p) => p.catch(() => undefined))); // at least one request reached the server
    const proc = server.proc;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const results = await Promise.allSettled(inFlight);
    assert.equal(await exited, 0, `exit code after SIGTERM\n${server.logs()}`);
    const acked = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.channel!.arn!);
    for (const r of results) {
      if (r.status === 'rejected') {
        const status = (r.reason as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        assert.ok(status === undefined || status === 503, `a drained request failed with HTTP ${status}: ${r.reason}`);
      }
    }
    assert.ok(acked.length >= 1);
    await server.restart();
    const after = await listArns(100);
    for (const arn of acked) assert.ok(after.includes(arn), `acknowledged ${arn} kept`);
    assert.ok(after.length <= before.size + 20);
    for (const arn of after.filter((a) => !before.has(a))) {
      await ivs.send(new DeleteChannelCommand({ arn }));
    }
  });

  it('SIGTERM answers a request in progress, then exits promptly', async () => {
    const body = JSON.stringify({ name: 'in-progress' });
    const headers = await signHeaders(server, { path: '/CreateChannel', body });
    const slow = startInProgressRequest(server, { path: '/CreateChannel', body, headers });
    await slow.headersParsed; // the server has parsed the headers and awaits the body
    const proc = server.proc;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const termAt = Date.now();
    proc.kill('SIGTERM');
    const res = await slow.finish();
    assert.equal(res.status, 200, `the in-progress request is answered: ${res.text}`);
    const arn = res.json().channel.arn as string;
    const answeredMs = Date.now() - termAt;
    const code = await exited;
    const exitMs = Date.now() - termAt;
    slow.close();
    assert.equal(code, 0);
    await server.restart();
    assert.equal((await ivs.send(new GetChannelCommand({ arn }))).channel!.name, 'in-progress');
    await ivs.send(new DeleteChannelCommand({ arn }));
    // Draining ends once in-flight requests are answered, not at a fixed grace timeout.
    assert.ok(exitMs < answeredMs + 2000, `exited ${exitMs} ms after SIGTERM; the request was answered after ${answeredMs} ms`);
  });

  it('the restarted server accepts new writes', async () => {
    const { channel } = await ivs.send(new CreateChannelCommand({ name: 'after-kill' }));
    assert.ok((await listArns()).includes(channel!.arn!));
    assert.equal((await ivs.send(new GetChannelCommand({ arn: channel!.arn }))).channel!.name, 'after-kill');
    await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }));
  });
});
