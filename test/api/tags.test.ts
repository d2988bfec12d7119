// Tags: TagResource / ListTagsForResource / UntagResource (URL-encoded ARN in the path) on every
// taggable resource type, the 50-tag limit, and not-found / validation errors.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  GetChannelCommand,
  ImportPlaybackKeyPairCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, expectError, p384PublicKey } from '../helpers/assert.js';
import { sendSigned, tagsPath } from '../helpers/http.js';

describe('tags', () => {
  const { server, ivs } = useServer();
  const arns: Record<string, string> = {};
  before(async () => {
    const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'tagged', tags: { born: 'yes' } }));
    arns.channel = channel!.arn!;
    arns['stream-key'] = streamKey!.arn!;
    arns['recording-configuration'] = (
      await ivs.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: 'tag-bucket' } },
        }),
      )
    ).recordingConfiguration!.arn!;
    arns['playback-key'] = (
      await ivs.send(
        new ImportPlaybackKeyPairCommand({
          publicKeyMaterial: p384PublicKey(),
        }),
      )
    ).keyPair!.arn!;
    arns['playback-restriction-policy'] = (
      await ivs.send(new CreatePlaybackRestrictionPolicyCommand({}))
    ).playbackRestrictionPolicy!.arn!;
  });

  const list = async (resourceArn: string) => (await ivs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

  for (const type of ['channel', 'stream-key', 'recording-configuration', 'playback-key', 'playback-restriction-policy']) {
    it(`tag, list and untag a ${type}`, async () => {
      const arn = arns[type]!;
      // Whatever the resource was created with (the channel's tags; its stream key may inherit them).
      const base = (await list(arn))!;
      if (type === 'channel') assert.deepEqual(base, { born: 'yes' });
      const tagged = await ivs.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: { a: '1', b: '2', c: '3', 'with space/and:colon': 'v=1+2@x', empty: '' },
        }),
      );
      assert.equal(tagged.$metadata.httpStatusCode, 200);
      assert.deepEqual(await list(arn), { ...base, a: '1', b: '2', c: '3', 'with space/and:colon': 'v=1+2@x', empty: '' });
      await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { c: 'three' } }));
      const untagged = await ivs.send(
        new UntagResourceCommand({
          resourceArn: arn,
          tagKeys: ['a', 'b', 'with space/and:colon', 'never-set'],
        }),
      );
      assert.equal(untagged.$metadata.httpStatusCode, 200);
      assert.deepEqual(await list(arn), { ...base, c: 'three', empty: '' });
      await ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['c', 'empty'] }));
      assert.deepEqual(await list(arn), base);
    });
  }

  it('tags set with TagResource show on the resource itself', async () => {
    await ivs.send(new TagResourceCommand({ resourceArn: arns.channel, tags: { visible: 'on-get' } }));
    const { channel } = await ivs.send(new GetChannelCommand({ arn: arns.channel }));
    assert.equal(channel!.tags!.visible, 'on-get');
    await ivs.send(new UntagResourceCommand({ resourceArn: arns.channel, tagKeys: ['visible'] }));
  });

  it('the ARN travels URL-encoded in the path (raw GET /tags/{arn})', async () => {
    const res = await sendSigned(server, { method: 'GET', path: tagsPath(arns.channel!) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { tags: { born: 'yes' } });
  });

  it('an unknown ARN is ResourceNotFoundException 404', async () => {
    const missing = `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`;
    await expectError(list(missing), 'ResourceNotFoundException', 404);
    await expectError(
      ivs.send(new TagResourceCommand({ resourceArn: missing, tags: { a: 'b' } })),
      'ResourceNotFoundException',
      404,
    );
    await expectError(
      ivs.send(new UntagResourceCommand({ resourceArn: missing, tagKeys: ['a'] })),
      'ResourceNotFoundException',
      404,
    );
    const otherRegion = arns.channel!.replace(`:${REGION}:`, ':eu-west-1:');
    await expectError(list(otherRegion), 'ResourceNotFoundException', 404);
  });

  it('a malformed ARN is a ValidationException 400', async () => {
    for (const arn of ['not-an-arn', `arn:aws:ivs:${REGION}:${ACCOUNT}:bogus-type/AbCdEfGh1234`]) {
      await assert.doesNotReject(expectError(list(arn), 'ValidationException', 400), arn);
    }
  });

  it('more than 50 tags in total is a ValidationException and changes nothing', async () => {
    const arn = arns['recording-configuration']!;
    const forty = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, `v${i}`]));
    await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: forty }));
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`n${i}`, 'x']));
    await expectError(ivs.send(new TagResourceCommand({ resourceArn: arn, tags: eleven })), 'ValidationException', 400);
    assert.deepEqual(await list(arn), forty, 'the refused request added nothing');
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i}`, 'x']));
    await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: ten }));
    assert.equal(Object.keys((await list(arn))!).length, 50);
    // Overwriting an existing key at the limit is fine.
    await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { k0: 'changed' } }));
    assert.equal((await list(arn))!.k0, 'changed');
    await expectError(ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { extra: '1' } })), 'ValidationException', 400);
    await ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: Object.keys({ ...forty, ...ten }) }));
    assert.deepEqual(await list(arn), {});
  });

  it('invalid tags are ValidationException 400', async () => {
    const arn = arns['stream-key']!;
    const cases: Array<Record<string, string>> = [
      { 'aws:reserved': 'x' },
      { ['k'.repeat(129)]: 'x' },
      { long: 'v'.repeat(257) },
      { 'bad#key': 'x' },
    ];
    for (const tags of cases) {
      await assert.doesNotReject(
        expectError(ivs.send(new TagResourceCommand({ resourceArn: arn, tags })), 'ValidationException', 400),
        JSON.stringify(tags).slice(0, 60),
      );
    }
    assert.ok(!Object.keys((await list(arn))!).some((k) => k.startsWith('aws:') || k.startsWith('bad')));
  });
});
