// Recording configurations: create (defaults), get, list, delete, the in-use conflict, validation,
// and the per-account quota (OPENIVS_QUOTA_RECORDING_CONFIGURATIONS).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  DeleteChannelCommand,
  DeleteRecordingConfigurationCommand,
  GetRecordingConfigurationCommand,
  ListRecordingConfigurationsCommand,
  UpdateChannelCommand,
  type CreateRecordingConfigurationCommandInput,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, arnRe, expectError } from '../helpers/assert.js';

const QUOTA = 4;
const MISSING = `arn:aws:ivs:${REGION}:${ACCOUNT}:recording-configuration/AbCdEfGh1234`;

describe('recording configurations', () => {
  const { ivs } = useServer({ env: { OPENIVS_QUOTA_RECORDING_CONFIGURATIONS: String(QUOTA) } });

  const create = (input: Partial<CreateRecordingConfigurationCommandInput> = {}) =>
    ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: 'my-recordings' } },
        ...input,
      }),
    );
  const remove = (arn: string) => ivs.send(new DeleteRecordingConfigurationCommand({ arn }));

  it('CreateRecordingConfiguration applies the defaults', async () => {
    const out = await create({ name: 'defaults' });
    assert.equal(out.$metadata.httpStatusCode, 200);
    const rc = out.recordingConfiguration!;
    assert.match(rc.arn!, arnRe('recording-configuration'));
    assert.equal(rc.name, 'defaults');
    assert.ok(rc.state === 'ACTIVE' || rc.state === 'CREATING', `state ${rc.state}`);
    assert.deepEqual(rc.destinationConfiguration, { s3: { bucketName: 'my-recordings' } });
    assert.equal(rc.thumbnailConfiguration!.recordingMode, 'INTERVAL');
    assert.equal(rc.thumbnailConfiguration!.targetIntervalSeconds, 60);
    assert.equal(rc.recordingReconnectWindowSeconds, 0);
    assert.equal(rc.renditionConfiguration!.renditionSelection, 'ALL');
    assert.deepEqual(rc.tags, {});
    await remove(rc.arn!);
  });

  it('keeps explicit settings; Get returns the same document', async () => {
    const out = await create({
      name: 'explicit',
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 10, storage: ['SEQUENTIAL', 'LATEST'] },
      recordingReconnectWindowSeconds: 300,
      renditionConfiguration: { renditionSelection: 'CUSTOM', renditions: ['HD', 'SD'] },
      tags: { purpose: 'test' },
    });
    const rc = out.recordingConfiguration!;
    assert.equal(rc.thumbnailConfiguration!.targetIntervalSeconds, 10);
    assert.deepEqual([...rc.thumbnailConfiguration!.storage!].sort(), ['LATEST', 'SEQUENTIAL']);
    assert.equal(rc.recordingReconnectWindowSeconds, 300);
    assert.equal(rc.renditionConfiguration!.renditionSelection, 'CUSTOM');
    assert.deepEqual([...rc.renditionConfiguration!.renditions!].sort(), ['HD', 'SD']);
    assert.deepEqual(rc.tags, { purpose: 'test' });
    const got = await ivs.send(new GetRecordingConfigurationCommand({ arn: rc.arn }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.equal(got.recordingConfiguration!.arn, rc.arn);
    assert.deepEqual(got.recordingConfiguration!.destinationConfiguration, rc.destinationConfiguration);
    assert.deepEqual(got.recordingConfiguration!.thumbnailConfiguration, rc.thumbnailConfiguration);
    assert.deepEqual(got.recordingConfiguration!.renditionConfiguration, rc.renditionConfiguration);
    assert.ok(['ACTIVE', 'CREATING', 'CREATE_FAILED'].includes(got.recordingConfiguration!.state!));
    await remove(rc.arn!);
  });

  it('ListRecordingConfigurations lists summaries and paginates', async () => {
    const a = (await create({ name: 'list-a' })).recordingConfiguration!;
    const b = (await create({ name: 'list-b' })).recordingConfiguration!;
    const all = await ivs.send(new ListRecordingConfigurationsCommand({}));
    assert.equal(all.$metadata.httpStatusCode, 200);
    const names = new Map(all.recordingConfigurations!.map((r) => [r.arn, r]));
    assert.equal(names.get(a.arn)!.name, 'list-a');
    assert.deepEqual(names.get(b.arn)!.destinationConfiguration, { s3: { bucketName: 'my-recordings' } });
    assert.ok(names.get(b.arn)!.state);
    const p1 = await ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 1 }));
    assert.equal(p1.recordingConfigurations!.length, 1);
    assert.ok(p1.nextToken);
    const p2 = await ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 1, nextToken: p1.nextToken }));
    assert.equal(p2.recordingConfigurations!.length, 1);
    assert.notEqual(p2.recordingConfigurations![0]!.arn, p1.recordingConfigurations![0]!.arn);
    await remove(a.arn!);
    await remove(b.arn!);
  });

  it('DeleteRecordingConfiguration answers 204; then Get and Delete are 404', async () => {
    const rc = (await create({ name: 'delete-me' })).recordingConfiguration!;
    const del = await remove(rc.arn!);
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(ivs.send(new GetRecordingConfigurationCommand({ arn: rc.arn })), 'ResourceNotFoundException', 404);
    await expectError(remove(rc.arn!), 'ResourceNotFoundException', 404);
    const list = await ivs.send(new ListRecordingConfigurationsCommand({}));
    assert.ok(!list.recordingConfigurations!.some((r) => r.arn === rc.arn));
  });

  it('deleting a configuration a channel uses is ConflictException 409', async () => {
    const rc = (await create({ name: 'in-use' })).recordingConfiguration!;
    const { channel } = await ivs.send(new CreateChannelCommand({ name: 'recorded', recordingConfigurationArn: rc.arn }));
    assert.equal(channel!.recordingConfigurationArn, rc.arn);
    await expectError(remove(rc.arn!), 'ConflictException', 409);
    // Detaching (empty string) makes it deletable.
    const upd = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, recordingConfigurationArn: '' }));
    assert.equal(upd.channel!.recordingConfigurationArn, '');
    await remove(rc.arn!);
    await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }));
  });

  it('invalid input is a ValidationException 400', async () => {
    const cases: Array<[string, Partial<CreateRecordingConfigurationCommandInput>]> = [
      ['bucket name too short', { destinationConfiguration: { s3: { bucketName: 'ab' } } }],
      ['bucket name with capitals', { destinationConfiguration: { s3: { bucketName: 'My_Bucket' } } }],
      ['bucket name of 64 characters', { destinationConfiguration: { s3: { bucketName: 'b'.repeat(64) } } }],
      ['reconnect window 301', { recordingReconnectWindowSeconds: 301 }],
      ['reconnect window -1', { recordingReconnectWindowSeconds: -1 }],
      ['thumbnail interval 0', { thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 0 } }],
      ['thumbnail interval 61', { thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 61 } }],
      ['unknown recording mode', { thumbnailConfiguration: { recordingMode: 'SOMETIMES' as never } }],
      ['name with a space', { name: 'my config' }],
      ['interval with thumbnails disabled', { thumbnailConfiguration: { recordingMode: 'DISABLED', targetIntervalSeconds: 30 } }],
      ['unknown thumbnail resolution', { thumbnailConfiguration: { resolution: 'UHD' as never } }],
      ['unknown thumbnail storage', { thumbnailConfiguration: { storage: ['FIRST' as never] } }],
      ['repeated thumbnail storage', { thumbnailConfiguration: { storage: ['LATEST', 'LATEST'] } }],
      ['CUSTOM without renditions', { renditionConfiguration: { renditionSelection: 'CUSTOM' } }],
      ['renditions without CUSTOM', { renditionConfiguration: { renditionSelection: 'ALL', renditions: ['HD'] } }],
      ['unknown rendition', { renditionConfiguration: { renditionSelection: 'CUSTOM', renditions: ['4K' as never] } }],
      ['unknown rendition selection', { renditionConfiguration: { renditionSelection: 'SOME' as never } }],
    ];
    for (const [what, input] of cases) {
      await assert.doesNotReject(expectError(create(input), 'ValidationException', 400), what);
    }
    const before = await ivs.send(new ListRecordingConfigurationsCommand({}));
    assert.equal(before.recordingConfigurations!.length, 0, 'nothing was created by the invalid requests');
  });

  it('a missing destination is a ValidationException 400', async () => {
    await expectError(
      ivs.send(new CreateRecordingConfigurationCommand({} as CreateRecordingConfigurationCommandInput)),
      'ValidationException',
      400,
    );
    await expectError(create({ destinationConfiguration: {} }), 'ValidationException', 400);
  });

  it('Get / Delete on missing or malformed ARNs', async () => {
    await expectError(ivs.send(new GetRecordingConfigurationCommand({ arn: MISSING })), 'ResourceNotFoundException', 404);
    await expectError(remove(MISSING), 'ResourceNotFoundException', 404);
    await expectError(
      ivs.send(new GetRecordingConfigurationCommand({ arn: 'recording-configuration/x' })),
      'ValidationException',
      400,
    );
  });

  it(`the quota (${QUOTA}) answers ServiceQuotaExceededException 402`, async () => {
    const made: string[] = [];
    for (let i = 0; i < QUOTA; i++) made.push((await create({ name: `quota-${i}` })).recordingConfiguration!.arn!);
    await expectError(create({ name: 'over' }), 'ServiceQuotaExceededException', 402);
    await remove(made.pop()!);
    const again = await create({ name: 'fits-again' });
    assert.match(again.recordingConfiguration!.arn!, arnRe('recording-configuration'));
  });
});
