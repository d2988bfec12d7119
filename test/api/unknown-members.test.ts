// Members the model does not define never reach storage or a response, at any depth (issue 10,
// defects 3 and 4): they are dropped while the input is decoded, without walking into them, so a
// member nested 10,000 levels deep costs nothing and can no longer overflow the stack when the row is
// stored. Raw SigV4 requests, because the SDK would never send such members; reads go through the SDK.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetChannelCommand, GetRecordingConfigurationCommand } from '@aws-sdk/client-ivs';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { useServer } from '../helpers/use-server.js';
import { callOperation, sendSigned, tagsPath } from '../helpers/http.js';
import { expectRawError } from '../helpers/assert.js';

const MARK = 'fuzzExtra';

/** `{"fuzzExtra": {"fuzzExtra": … "zzz"}}`, `depth` levels deep, as JSON text. */
function deepUnknown(depth: number): string {
  return `${`{"${MARK}":`.repeat(depth)}"zzz"${'}'.repeat(depth)}`;
}

describe('unknown members', () => {
  const { server, ivs } = useServer();

  it('a 10,000-deep unknown member in multitrackInputConfiguration is a 400, never a 500 (defect 3)', async () => {
    const created = await callOperation(server, 'CreateChannel', { name: 'before-deep' });
    const arn = created.json().channel.arn as string;
    for (const [operation, prefix] of [
      ['CreateChannel', '"name":"deep"'],
      ['UpdateChannel', `"arn":"${arn}"`],
    ]) {
      const body = `{${prefix},"multitrackInputConfiguration":{"enabled":false,${deepUnknown(10_000).slice(1)}}`;
      const res = await sendSigned(server, { path: `/${operation}`, body });
      const error = expectRawError(res, 'SerializationException', 400);
      assert.match(error.message, /nesting deeper than 1000 levels/);
      assert.ok(!res.text.includes(MARK), res.text);
    }
    const { channel } = await ivs.send(new GetChannelCommand({ arn }));
    assert.deepEqual(channel!.multitrackInputConfiguration, { enabled: false, policy: 'ALLOW', maximumResolution: 'FULL_HD' });
  });

  it('an unknown member nested within the depth limit is dropped, and nothing of it is stored', async () => {
    const body = `{"name":"deep","multitrackInputConfiguration":{"enabled":false,${deepUnknown(990).slice(1)}}`;
    const created = await sendSigned(server, { path: '/CreateChannel', body });
    assert.equal(created.status, 200, created.text.slice(0, 300));
    assert.ok(!created.text.includes(MARK), 'CreateChannel echoes no unknown member');
    const arn = created.json().channel.arn as string;
    const updateBody = `{"arn":"${arn}","multitrackInputConfiguration":{"policy":"REQUIRE",${deepUnknown(990).slice(1)}}`;
    const updated = await sendSigned(server, { path: '/UpdateChannel', body: updateBody });
    assert.equal(updated.status, 200, updated.text.slice(0, 300));
    assert.ok(!updated.text.includes(MARK), 'UpdateChannel echoes no unknown member');
    const { channel } = await ivs.send(new GetChannelCommand({ arn }));
    assert.deepEqual(channel!.multitrackInputConfiguration, { enabled: false, policy: 'REQUIRE', maximumResolution: 'FULL_HD' });
  });

  it('an unknown member inside a nested structure is neither stored nor echoed (defect 4)', async () => {
    const created = await callOperation(server, 'CreateChannel', {
      name: 'shallow',
      [MARK]: 'top',
      multitrackInputConfiguration: { enabled: false, [MARK]: 'zzz' },
    });
    assert.equal(created.status, 200, created.text);
    assert.ok(!created.text.includes(MARK), created.text);
    const arn = created.json().channel.arn as string;
    const read = await callOperation(server, 'GetChannel', { arn });
    assert.equal(read.status, 200, read.text);
    assert.ok(!read.text.includes(MARK), `GetChannel echoed an unknown member: ${read.text}`);
    const { channel } = await ivs.send(new GetChannelCommand({ arn }));
    assert.equal(Object.hasOwn(channel!.multitrackInputConfiguration!, MARK), false);
    const listed = await callOperation(server, 'ListChannels', {});
    assert.ok(!listed.text.includes(MARK), listed.text);
  });

  it('unknown members at every depth of other operations are dropped too', async () => {
    const rec = await callOperation(server, 'CreateRecordingConfiguration', {
      [MARK]: 1,
      destinationConfiguration: { [MARK]: { a: 1 }, s3: { bucketName: 'bucket-1', [MARK]: [1, 2] } },
      thumbnailConfiguration: { recordingMode: 'INTERVAL', [MARK]: true },
      renditionConfiguration: { renditionSelection: 'ALL', [MARK]: null },
    });
    assert.equal(rec.status, 200, rec.text);
    assert.ok(!rec.text.includes(MARK), rec.text);
    const arn = rec.json().recordingConfiguration.arn as string;
    const got = await ivs.send(new GetRecordingConfigurationCommand({ arn }));
    assert.ok(!JSON.stringify(got).includes(MARK));

    const channel = (await callOperation(server, 'CreateChannel', { name: 'tagged' })).json().channel.arn as string;
    const tagged = await sendSigned(server, {
      path: tagsPath(channel),
      body: JSON.stringify({ tags: { a: 'b' }, [MARK]: { x: 1 } }),
    });
    assert.equal(tagged.status, 200, tagged.text);
    const tags = await sendSigned(server, { method: 'GET', path: tagsPath(channel) });
    assert.deepEqual(tags.json(), { tags: { a: 'b' } });

    const revoke = await callOperation(server, 'BatchStartViewerSessionRevocation', {
      viewerSessions: [{ channelArn: channel, viewerId: 'v1', [MARK]: deepUnknownObject(50) }],
    });
    assert.equal(revoke.status, 200, revoke.text);
    assert.ok(!revoke.text.includes(MARK), revoke.text);
  });

  it('a row stored before the fix with unknown members: never returned, and an update drops them', async () => {
    const arn = (await callOperation(server, 'CreateChannel', { name: 'legacy' })).json().channel.arn as string;
    // Write the row as the old code did (the unknown member inside the stored settings), server stopped.
    await server.kill9();
    const store = await openSqliteStore({ dataDir: server.dataDir });
    try {
      const row = (await store.resources.get<Record<string, Record<string, unknown>>>(arn))!;
      const doc = {
        ...row.doc,
        [MARK]: { deep: true },
        multitrackInputConfiguration: { ...row.doc.multitrackInputConfiguration, [MARK]: 'zzz' },
      };
      await store.resources.update({ ...row, doc });
    } finally {
      await store.close();
      await server.restart();
    }
    for (const operation of ['GetChannel', 'ListChannels', 'BatchGetChannel']) {
      const res = await callOperation(
        server,
        operation,
        operation === 'ListChannels' ? {} : operation === 'GetChannel' ? { arn } : { arns: [arn] },
      );
      assert.equal(res.status, 200, res.text);
      assert.ok(!res.text.includes(MARK), `${operation}: ${res.text.slice(0, 300)}`);
    }
    const updated = await callOperation(server, 'UpdateChannel', { arn, name: 'legacy-updated' });
    assert.equal(updated.status, 200, updated.text);
    assert.ok(!updated.text.includes(MARK), updated.text);
  });

  it('no stored document holds an unknown member (read from the data directory after kill -9)', async () => {
    await server.kill9();
    const store = await openSqliteStore({ dataDir: server.dataDir });
    try {
      const scope = { account: '000000000000', region: 'us-west-2' };
      let seen = 0;
      for (const type of ['channel', 'stream-key', 'recording-configuration'] as const) {
        for (const row of await store.resources.list({ type, scope, limit: 1000 })) {
          seen++;
          assert.ok(!JSON.stringify(row.doc).includes(MARK), `${type} stored: ${JSON.stringify(row.doc).slice(0, 300)}`);
        }
      }
      assert.ok(seen >= 8, `rows read: ${seen}`);
    } finally {
      await store.close();
      await server.restart();
    }
  });

  it('a validation error does not echo the contents of an unknown structure', async () => {
    const res = await callOperation(server, 'CreateChannel', { name: { [MARK]: 'zzz' } });
    assert.equal(res.status, 400, res.text);
    assert.ok(!res.text.includes(MARK), res.text);
  });
});

function deepUnknownObject(depth: number): unknown {
  let v: unknown = 'zzz';
  for (let i = 0; i < depth; i++) v = { [MARK]: v };
  return v;
}
