// Playback restriction policies: create (defaults), get, list, update, delete (204), the in-use
// conflict, validation and not-found errors.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  DeleteChannelCommand,
  DeletePlaybackRestrictionPolicyCommand,
  GetPlaybackRestrictionPolicyCommand,
  ListPlaybackRestrictionPoliciesCommand,
  UpdateChannelCommand,
  UpdatePlaybackRestrictionPolicyCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, arnRe, expectError } from '../helpers/assert.js';

const MISSING = `arn:aws:ivs:${REGION}:${ACCOUNT}:playback-restriction-policy/AbCdEfGh1234`;

describe('playback restriction policies', () => {
  const { ivs } = useServer();

  it('CreatePlaybackRestrictionPolicy with no settings allows everything', async () => {
    const out = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const p = out.playbackRestrictionPolicy!;
    assert.match(p.arn!, arnRe('playback-restriction-policy'));
    assert.deepEqual(p.allowedCountries, []);
    assert.deepEqual(p.allowedOrigins, []);
    assert.equal(p.enableStrictOriginEnforcement, false);
    assert.equal(p.name ?? '', '');
    assert.deepEqual(p.tags, {});
  });

  it('Create keeps its settings; Get returns the same policy', async () => {
    const out = await ivs.send(
      new CreatePlaybackRestrictionPolicyCommand({
        name: 'geo',
        allowedCountries: ['US', 'DE'],
        allowedOrigins: ['https://example.com', 'https://*.example.org'],
        enableStrictOriginEnforcement: true,
        tags: { kind: 'geo' },
      }),
    );
    const p = out.playbackRestrictionPolicy!;
    assert.equal(p.name, 'geo');
    assert.deepEqual(p.allowedCountries, ['US', 'DE']);
    assert.deepEqual(p.allowedOrigins, ['https://example.com', 'https://*.example.org']);
    assert.equal(p.enableStrictOriginEnforcement, true);
    assert.deepEqual(p.tags, { kind: 'geo' });
    const got = await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: p.arn }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.deepEqual(got.playbackRestrictionPolicy, p);
  });

  it('ListPlaybackRestrictionPolicies lists and paginates', async () => {
    const made: string[] = [];
    for (const name of ['list-1', 'list-2', 'list-3']) {
      made.push((await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name }))).playbackRestrictionPolicy!.arn!);
    }
    // The model documents a default page size of 1 for this operation, so ask for 100.
    const all = await ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 100 }));
    assert.equal(all.$metadata.httpStatusCode, 200);
    const listed = all.playbackRestrictionPolicies!;
    for (const arn of made)
      assert.ok(
        listed.some((p) => p.arn === arn),
        `${arn} listed`,
      );
    const one = listed.find((p) => p.arn === made[1])!;
    assert.equal(one.name, 'list-2');
    const dflt = await ivs.send(new ListPlaybackRestrictionPoliciesCommand({}));
    assert.ok(dflt.playbackRestrictionPolicies!.length >= 1);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 2, nextToken: token }));
      assert.ok(page.playbackRestrictionPolicies!.length <= 2);
      seen.push(...page.playbackRestrictionPolicies!.map((p) => p.arn!));
      token = page.nextToken;
    } while (token);
    assert.deepEqual(
      seen,
      listed.map((p) => p.arn),
    );
  });

  it('UpdatePlaybackRestrictionPolicy changes only the given fields', async () => {
    const { playbackRestrictionPolicy: p } = await ivs.send(
      new CreatePlaybackRestrictionPolicyCommand({
        name: 'to-update',
        allowedCountries: ['FR'],
        tags: { keep: 'me' },
      }),
    );
    const out = await ivs.send(
      new UpdatePlaybackRestrictionPolicyCommand({
        arn: p!.arn,
        allowedOrigins: ['https://player.example'],
        enableStrictOriginEnforcement: true,
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    const u = out.playbackRestrictionPolicy!;
    assert.equal(u.arn, p!.arn);
    assert.equal(u.name, 'to-update');
    assert.deepEqual(u.allowedCountries, ['FR']);
    assert.deepEqual(u.allowedOrigins, ['https://player.example']);
    assert.equal(u.enableStrictOriginEnforcement, true);
    assert.deepEqual(u.tags, { keep: 'me' });
    const renamed = await ivs.send(
      new UpdatePlaybackRestrictionPolicyCommand({ arn: p!.arn, name: 'renamed', allowedCountries: [] }),
    );
    assert.equal(renamed.playbackRestrictionPolicy!.name, 'renamed');
    assert.deepEqual(renamed.playbackRestrictionPolicy!.allowedCountries, []);
    const got = await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: p!.arn }));
    assert.deepEqual(got.playbackRestrictionPolicy, renamed.playbackRestrictionPolicy);
  });

  it('DeletePlaybackRestrictionPolicy answers 204; then Get, Update and Delete are 404', async () => {
    const { playbackRestrictionPolicy: p } = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'gone' }));
    const del = await ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: p!.arn }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: p!.arn })), 'ResourceNotFoundException', 404);
    await expectError(
      ivs.send(new UpdatePlaybackRestrictionPolicyCommand({ arn: p!.arn, name: 'x' })),
      'ResourceNotFoundException',
      404,
    );
    await expectError(ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: p!.arn })), 'ResourceNotFoundException', 404);
  });

  it('deleting a policy a channel uses is ConflictException 409', async () => {
    const { playbackRestrictionPolicy: p } = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'used' }));
    const { channel } = await ivs.send(new CreateChannelCommand({ name: 'restricted', playbackRestrictionPolicyArn: p!.arn }));
    assert.equal(channel!.playbackRestrictionPolicyArn, p!.arn);
    await expectError(ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: p!.arn })), 'ConflictException', 409);
    await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, playbackRestrictionPolicyArn: '' }));
    const del = await ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: p!.arn }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }));
  });

  it('a channel referencing a missing policy is 404', async () => {
    await expectError(
      ivs.send(new CreateChannelCommand({ playbackRestrictionPolicyArn: MISSING })),
      'ResourceNotFoundException',
      404,
    );
  });

  it('invalid input is a ValidationException 400', async () => {
    await expectError(ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'bad name' })), 'ValidationException', 400);
    await expectError(
      ivs.send(new CreatePlaybackRestrictionPolicyCommand({ allowedCountries: ['USA'] })),
      'ValidationException',
      400,
    );
    await expectError(
      ivs.send(new CreatePlaybackRestrictionPolicyCommand({ allowedOrigins: ['x'.repeat(129)] })),
      'ValidationException',
      400,
    );
    await expectError(ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: 'nope' })), 'ValidationException', 400);
    await expectError(ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: MISSING })), 'ResourceNotFoundException', 404);
  });
});
