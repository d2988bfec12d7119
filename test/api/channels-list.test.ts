// ListChannels: summaries, pagination (stable, complete, tamper-proof tokens), the mutually exclusive
// filters, and the channel quota (OPENIVS_QUOTA_CHANNELS).

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  ListChannelsCommand,
  ListRecordingConfigurationsCommand,
  paginateListChannels,
  type ChannelSummary,
  type ListChannelsCommandInput,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { expectError } from '../helpers/assert.js';

const QUOTA = 20;

describe('ListChannels', () => {
  const { ivs } = useServer({ env: { OPENIVS_QUOTA_CHANNELS: String(QUOTA) } });
  const paged: string[] = [];
  before(async () => {
    for (let i = 0; i < 7; i++) {
      const { channel } = await ivs.send(new CreateChannelCommand({ name: `page-${i}`, tags: { n: String(i) } }));
      paged.push(channel!.arn!);
    }
  });

  async function listAll(input: ListChannelsCommandInput): Promise<{ items: ChannelSummary[]; pages: number }> {
    const items: ChannelSummary[] = [];
    let pages = 0;
    for await (const page of paginateListChannels({ client: ivs }, input)) {
      pages++;
      assert.ok(page.channels!.length <= (input.maxResults ?? 100), 'page not larger than maxResults');
      items.push(...page.channels!);
    }
    return { items, pages };
  }

  it('returns summaries, not full channels', async () => {
    const out = await ivs.send(new ListChannelsCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const s = out.channels!.find((c) => c.arn === paged[3]);
    assert.ok(s, 'created channel listed');
    assert.equal(s.name, 'page-3');
    assert.equal(s.latencyMode, 'LOW');
    assert.equal(s.type, 'STANDARD');
    assert.equal(s.authorized, false);
    assert.equal(s.insecureIngest, false);
    assert.equal(s.recordingConfigurationArn, '');
    assert.deepEqual(s.tags, { n: '3' });
    assert.equal((s as Record<string, unknown>).playbackUrl, undefined);
    assert.equal((s as Record<string, unknown>).ingestEndpoint, undefined);
    assert.equal(out.nextToken, undefined, 'no token when everything fits');
  });

  it('paginates with maxResults 3: every channel exactly once, stable order', async () => {
    const first = await ivs.send(new ListChannelsCommand({ maxResults: 3 }));
    assert.equal(first.channels!.length, 3);
    assert.equal(typeof first.nextToken, 'string');
    const a = await listAll({ maxResults: 3 });
    const arns = a.items.map((c) => c.arn!);
    assert.equal(new Set(arns).size, arns.length, 'no duplicates across pages');
    assert.deepEqual([...arns].sort(), [...paged].sort(), 'all channels seen');
    assert.equal(a.pages, 3);
    const b = await listAll({ maxResults: 3 });
    assert.deepEqual(
      b.items.map((c) => c.arn),
      arns,
      'same order on a second walk',
    );
    const whole = await ivs.send(new ListChannelsCommand({}));
    assert.deepEqual(
      whole.channels!.map((c) => c.arn),
      arns,
      'same order without pagination',
    );
  });

  it('a channel created mid-walk does not cause duplicates', async () => {
    const first = await ivs.send(new ListChannelsCommand({ maxResults: 3 }));
    const extra = await ivs.send(new CreateChannelCommand({ name: 'mid-walk' }));
    const seen = first.channels!.map((c) => c.arn!);
    let token = first.nextToken;
    while (token) {
      const page = await ivs.send(new ListChannelsCommand({ maxResults: 3, nextToken: token }));
      seen.push(...page.channels!.map((c) => c.arn!));
      token = page.nextToken;
    }
    assert.equal(new Set(seen).size, seen.length);
    for (const arn of paged) assert.ok(seen.includes(arn), `${arn} still seen`);
    paged.push(extra.channel!.arn!);
  });

  it('a tampered or foreign nextToken is a ValidationException 400', async () => {
    const first = await ivs.send(new ListChannelsCommand({ maxResults: 3 }));
    const token = first.nextToken!;
    const i = Math.floor(token.length / 2);
    const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    await expectError(ivs.send(new ListChannelsCommand({ maxResults: 3, nextToken: flipped })), 'ValidationException', 400);
    await expectError(ivs.send(new ListChannelsCommand({ nextToken: 'bm90LWEtdG9rZW4' })), 'ValidationException', 400);
    await expectError(ivs.send(new ListChannelsCommand({ nextToken: 'not a token!' })), 'ValidationException', 400);
    // A token is only good for the listing that issued it.
    await expectError(
      ivs.send(new ListChannelsCommand({ maxResults: 3, nextToken: token, filterByName: 'page-1' })),
      'ValidationException',
      400,
    );
    await expectError(ivs.send(new ListRecordingConfigurationsCommand({ nextToken: token })), 'ValidationException', 400);
    const ok = await ivs.send(new ListChannelsCommand({ maxResults: 3, nextToken: token }));
    assert.equal(ok.channels!.length, 3, 'the untampered token still works');
  });

  it('maxResults outside 1–100 is a ValidationException', async () => {
    await expectError(ivs.send(new ListChannelsCommand({ maxResults: 0 })), 'ValidationException', 400);
    await expectError(ivs.send(new ListChannelsCommand({ maxResults: 101 })), 'ValidationException', 400);
  });

  it('filterByName lists only the channels with that name', async () => {
    const a1 = await ivs.send(new CreateChannelCommand({ name: 'filt-alpha' }));
    const a2 = await ivs.send(new CreateChannelCommand({ name: 'filt-alpha' }));
    await ivs.send(new CreateChannelCommand({ name: 'filt-beta' }));
    const { items } = await listAll({ filterByName: 'filt-alpha', maxResults: 1 });
    assert.deepEqual(items.map((c) => c.arn).sort(), [a1.channel!.arn, a2.channel!.arn].sort());
    const none = await ivs.send(new ListChannelsCommand({ filterByName: 'no-such-name' }));
    assert.deepEqual(none.channels, []);
  });

  it('filterByRecordingConfigurationArn and filterByPlaybackRestrictionPolicyArn', async () => {
    const rc = await ivs.send(
      new CreateRecordingConfigurationCommand({
        name: 'list-filter',
        destinationConfiguration: { s3: { bucketName: 'list-filter-bucket' } },
      }),
    );
    const rcArn = rc.recordingConfiguration!.arn!;
    const withRc = await ivs.send(new CreateChannelCommand({ name: 'with-rc', recordingConfigurationArn: rcArn }));
    assert.equal(withRc.channel!.recordingConfigurationArn, rcArn);
    const byRc = await ivs.send(new ListChannelsCommand({ filterByRecordingConfigurationArn: rcArn }));
    assert.deepEqual(
      byRc.channels!.map((c) => c.arn),
      [withRc.channel!.arn],
    );
    assert.equal(byRc.channels![0]!.recordingConfigurationArn, rcArn);

    const pol = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'list-filter' }));
    const polArn = pol.playbackRestrictionPolicy!.arn!;
    const withPol = await ivs.send(new CreateChannelCommand({ name: 'with-pol', playbackRestrictionPolicyArn: polArn }));
    const byPol = await ivs.send(new ListChannelsCommand({ filterByPlaybackRestrictionPolicyArn: polArn }));
    assert.deepEqual(
      byPol.channels!.map((c) => c.arn),
      [withPol.channel!.arn],
    );
  });

  it('two filters at once are a ConflictException 409', async () => {
    const rc = await ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: 'two-filters' } },
      }),
    );
    await expectError(
      ivs.send(
        new ListChannelsCommand({
          filterByName: 'page-1',
          filterByRecordingConfigurationArn: rc.recordingConfiguration!.arn,
        }),
      ),
      'ConflictException',
      409,
    );
  });

  it(`the channel quota (${QUOTA}) answers ServiceQuotaExceededException 402`, async () => {
    const { items } = await listAll({});
    for (let n = items.length; n < QUOTA; n++) await ivs.send(new CreateChannelCommand({ name: `fill-${n}` }));
    const err = await expectError(
      ivs.send(new CreateChannelCommand({ name: 'one-too-many' })),
      'ServiceQuotaExceededException',
      402,
    );
    assert.ok(err.message.length > 0);
    const after = await listAll({});
    assert.equal(after.items.length, QUOTA, 'the refused channel was not created');
  });
});
