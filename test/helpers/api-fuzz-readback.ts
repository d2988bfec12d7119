// The fuzzing tests' consistency oracle: after a successful write, a read returns exactly what the
// write answered, and the write answered what the input asked for; deleted resources are gone. It
// also keeps the ARN pool current, so later generated inputs name resources that exist.

import assert from 'node:assert/strict';
import type { RawResponse } from './http.js';
import { sendSignedRaw } from './api-fuzz-invariants.js';
import type { ArnPool } from './model-arbitraries.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Channel settings a CreateChannel/UpdateChannel input sets directly. */
const CHANNEL_SETTINGS = [
  'name',
  'latencyMode',
  'type',
  'authorized',
  'recordingConfigurationArn',
  'insecureIngest',
  'playbackRestrictionPolicyArn',
  'containerFormat',
];
const POLICY_SETTINGS = ['name', 'allowedCountries', 'allowedOrigins', 'enableStrictOriginEnforcement'];

/** Tags as the server keeps them: a `__proto__` key is dropped on input. */
function storedTags(tags: unknown): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries((tags ?? {}) as Json)) if (k !== '__proto__') out[k] = v;
  return out;
}

export class ReadBack {
  constructor(
    private readonly server: { port: number },
    private readonly pool: ArnPool,
  ) {}

  private async call(operation: string, body: Json): Promise<RawResponse> {
    return sendSignedRaw(this.server, {
      method: 'POST',
      path: `/${operation}`,
      rawQuery: '',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
    });
  }

  private async tags(arn: string): Promise<Json> {
    const res = await sendSignedRaw(this.server, {
      method: 'GET',
      path: `/tags/${encodeURIComponent(arn)}`,
      rawQuery: '',
      headers: {},
      body: undefined,
    });
    assert.equal(res.status, 200, res.text);
    return res.json().tags as Json;
  }

  private add(type: string, arn: string): void {
    const list = this.pool.get(type) ?? [];
    if (!list.includes(arn)) this.pool.set(type, [...list, arn]);
  }

  private remove(arn: string): void {
    for (const [type, list] of this.pool)
      this.pool.set(
        type,
        list.filter((a) => a !== arn),
      );
  }

  /** `getOp` on `arn` answers `key` deep-equal to `expected` (except the members listed in `volatile`). */
  private async same(
    getOp: string,
    arn: string,
    key: string,
    expected: Json,
    label: string,
    volatile: string[] = [],
  ): Promise<void> {
    const res = await this.call(getOp, { arn });
    assert.equal(res.status, 200, `${label}: ${getOp} after the write: ${res.text}`);
    const got = { ...(res.json()[key] as Json) };
    const want = { ...expected };
    for (const v of volatile) {
      delete got[v];
      delete want[v];
    }
    assert.deepEqual(got, want, `${label}: ${getOp} differs from what the write answered`);
  }

  private reflects(out: Json, input: Json, keys: string[], label: string): void {
    for (const key of keys) {
      if (input[key] !== undefined) assert.deepEqual(out[key], input[key], `${label}: ${key} as given`);
    }
  }

  /** Checks the write `operation` (answered 2xx by `res` to `input`) against later reads. */
  async verify(operation: string, input: Json, res: RawResponse, label: string): Promise<void> {
    const body = res.status === 204 ? {} : (res.json() as Json);
    switch (operation) {
      case 'CreateChannel':
      case 'UpdateChannel': {
        const channel = body.channel as Json;
        this.reflects(channel, input, CHANNEL_SETTINGS, label);
        for (const [k, v] of Object.entries((input.multitrackInputConfiguration ?? {}) as Json)) {
          assert.deepEqual(channel.multitrackInputConfiguration[k], v, `${label}: multitrackInputConfiguration.${k}`);
        }
        if (operation === 'CreateChannel') {
          assert.deepEqual(channel.tags, storedTags(input.tags), `${label}: tags`);
          this.add('channel', channel.arn);
          this.add('stream-key', body.streamKey.arn);
          await this.same('GetStreamKey', body.streamKey.arn, 'streamKey', body.streamKey, label);
        }
        return this.same('GetChannel', channel.arn, 'channel', channel, label);
      }
      case 'CreatePlaybackRestrictionPolicy':
      case 'UpdatePlaybackRestrictionPolicy': {
        const policy = body.playbackRestrictionPolicy as Json;
        this.reflects(policy, input, POLICY_SETTINGS, label);
        if (operation === 'CreatePlaybackRestrictionPolicy') this.add('playback-restriction-policy', policy.arn);
        return this.same('GetPlaybackRestrictionPolicy', policy.arn, 'playbackRestrictionPolicy', policy, label);
      }
      case 'ImportPlaybackKeyPair':
        this.reflects(body.keyPair, input, ['name'], label);
        this.add('playback-key', body.keyPair.arn);
        return this.same('GetPlaybackKeyPair', body.keyPair.arn, 'keyPair', body.keyPair, label);
      case 'CreateRecordingConfiguration': {
        const config = body.recordingConfiguration as Json;
        this.reflects(config, input, ['name', 'recordingReconnectWindowSeconds'], label);
        this.add('recording-configuration', config.arn);
        // Its state moves from CREATING on its own (the bucket probe).
        return this.same('GetRecordingConfiguration', config.arn, 'recordingConfiguration', config, label, ['state']);
      }
      case 'CreateStreamKey':
        this.add('stream-key', body.streamKey.arn);
        return this.same('GetStreamKey', body.streamKey.arn, 'streamKey', body.streamKey, label);
      case 'TagResource': {
        const now = await this.tags(input.resourceArn);
        for (const [k, v] of Object.entries(storedTags(input.tags)))
          assert.equal(now[k], v, `${label}: tag ${k} after TagResource`);
        return;
      }
      case 'UntagResource': {
        const now = await this.tags(input.resourceArn);
        for (const k of (input.tagKeys ?? []) as string[])
          assert.equal(Object.hasOwn(now, k), false, `${label}: tag ${k} after UntagResource`);
        return;
      }
      case 'DeleteChannel':
      case 'DeleteStreamKey':
      case 'DeletePlaybackKeyPair':
      case 'DeleteRecordingConfiguration':
      case 'DeletePlaybackRestrictionPolicy': {
        this.remove(input.arn);
        const getOp = operation.replace('Delete', 'Get');
        const gone = await this.call(getOp, { arn: input.arn });
        assert.equal(gone.status, 404, `${label}: ${getOp} after ${operation}: ${gone.text}`);
        return;
      }
      default:
    }
  }
}
