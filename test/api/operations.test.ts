// Model coverage: every operation of model/ivs-2020-07-14.latest.json is routed. A signed raw request
// to each (once with an empty input, once with plausible required members) never yields a 500 nor
// a routing UnknownOperationException: each operation is served or answers NotImplementedException.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useServer } from '../helpers/use-server.js';
import { p384PublicKey } from '../helpers/assert.js';
import { sendSigned, type RawRequest } from '../helpers/http.js';
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  CreatePlaybackRestrictionPolicyCommand,
  ImportPlaybackKeyPairCommand,
} from '@aws-sdk/client-ivs';

const here = dirname(fileURLToPath(import.meta.url));
const MODEL_PATH = resolve(here, '..', '..', '..', 'model', 'ivs-2020-07-14.latest.json');

interface Member {
  shape: string;
  location?: string;
  locationName?: string;
}
interface Shape {
  type: string;
  members?: Record<string, Member>;
  required?: string[];
  member?: Member;
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
  key?: Member;
  value?: Member;
}
interface Operation {
  name: string;
  http: { method: string; requestUri: string };
  input?: { shape: string };
}
interface Model {
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const model = JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as Model;

describe('every model operation is routed', () => {
  const { server, ivs } = useServer();
  const arns: Record<string, string> = {};
  before(async () => {
    const ch = await ivs.send(new CreateChannelCommand({ name: 'coverage' }));
    arns.channel = ch.channel!.arn!;
    arns['stream-key'] = ch.streamKey!.arn!;
    arns['recording-configuration'] = (
      await ivs.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: 'coverage' } },
        }),
      )
    ).recordingConfiguration!.arn!;
    arns['playback-restriction-policy'] = (
      await ivs.send(new CreatePlaybackRestrictionPolicyCommand({}))
    ).playbackRestrictionPolicy!.arn!;
    arns['playback-key'] = (
      await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }))
    ).keyPair!.arn!;
    arns['ad-configuration'] = 'arn:aws:ivs:us-west-2:000000000000:ad-configuration/AbCdEfGh1234';
  });

  /** A plausible value for a shape: real ARNs for ARN shapes, the first enum value, minimal strings. */
  function sample(shapeName: string, depth = 0): unknown {
    const shape = model.shapes[shapeName]!;
    switch (shape.type) {
      case 'string': {
        if (shape.enum) return shape.enum[0];
        const type = /:([a-z-]+)\/\[/.exec(shape.pattern ?? '')?.[1];
        if (type && arns[type]) return arns[type];
        if (/Arn$/.test(shapeName)) return arns.channel;
        if (shapeName === 'PlaybackPublicKeyMaterial') return p384PublicKey();
        if (shapeName === 'StreamId') return 'st-AbCdEfGhIjKlMnOpQrStUvW';
        return 'a'.repeat(Math.max(shape.min ?? 1, 1));
      }
      case 'integer':
      case 'long':
        return Math.max(shape.min ?? 1, 1);
      case 'boolean':
        return false;
      case 'list':
        return depth > 4 ? [] : [sample(shape.member!.shape, depth + 1)];
      case 'map':
        return {};
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const name of shape.required ?? []) out[name] = sample(shape.members![name]!.shape, depth + 1);
        return out;
      }
      default:
        return undefined;
    }
  }

  function requestFor(op: Operation, input: Record<string, unknown>): RawRequest {
    const shape = op.input ? model.shapes[op.input.shape]! : { type: 'structure', members: {} };
    let path = op.http.requestUri;
    const query: Record<string, string | string[]> = {};
    const body: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      const m = shape.members?.[name];
      if (m?.location === 'uri') path = path.replace(`{${m.locationName}}`, encodeURIComponent(String(value)));
      else if (m?.location === 'querystring') query[m.locationName!] = value as string | string[];
      else body[name] = value;
    }
    path = path.replace(/\{[^}]+\}/g, encodeURIComponent(arns.channel!));
    return op.http.method === 'GET' || op.http.method === 'DELETE'
      ? { method: op.http.method, path, query }
      : { method: op.http.method, path, query, body: JSON.stringify(body) };
  }

  const operations = Object.values(model.operations);

  it('the model is the newest one (40 operations)', () => {
    assert.equal(operations.length, 40);
  });

  for (const op of operations) {
    it(op.name, async () => {
      const inputs = [{}, op.input ? (sample(op.input.shape) as Record<string, unknown>) : {}];
      for (const input of inputs) {
        const res = await sendSigned(server, requestFor(op, input));
        const type = String(res.headers['x-amzn-errortype'] ?? '');
        const what = `${op.name} ${JSON.stringify(input).slice(0, 120)} → ${res.status} ${type} ${res.text.slice(0, 200)}`;
        assert.ok(res.status < 500 || (res.status === 501 && type === 'NotImplementedException'), what);
        assert.notEqual(type, 'UnknownOperationException', what);
        assert.notEqual(type, 'SerializationException', what);
        if (res.status === 501) assert.match(res.json().exceptionMessage, new RegExp(op.name), what);
        if (res.status >= 400) {
          assert.ok(res.headers['x-amzn-requestid'], `${what}: request id`);
          assert.equal(typeof res.json().message, 'string', what);
        }
      }
    });
  }

  it('still healthy afterwards', async () => {
    const res = await fetch(`${server.url}/_openivs/health`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });
});
