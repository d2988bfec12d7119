// An ended broadcast must not outlive its use: once the next broadcast of its channel took the playback key (or its
// linger ran out), nothing in the registry may hold it, or every broadcast leaks its segment window (megabytes). The
// registry kept a resolver and a promise per stream in Maps that were never emptied; bench:record's processes grew to
// ~1 GB in 7 minutes. Checked with a WeakRef and a forced full GC.
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { it, mock } from 'node:test';
import { pino } from 'pino';
import { LiveRegistry } from '../../src/media/registry/registry.js';
import type { LiveStream } from '../../src/media/registry/live-stream.js';
import type { SessionLog } from '../../src/media/stream-sessions/session-log.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const channel = {
  arn: 'arn:aws:ivs:us-west-2:123456789012:channel/abcd',
  account: '123456789012',
  region: 'us-west-2',
  name: 'c',
  type: 'BASIC',
};

/** The fields of a LiveStream that register() and finish() read, and a payload standing in for its segments. */
function stream(streamId: string): LiveStream {
  return {
    channel,
    playbackKey: 'us-west-2.123456789012.channel.abcd',
    streamId,
    ended: false,
    started: false,
    renditions: new Map(),
    handle: { disconnect: () => undefined },
    metadata: {},
    payload: Buffer.alloc(1024 * 1024),
  } as unknown as LiveStream;
}

it('an ended stream is freed once the next broadcast of its channel has taken its place', async () => {
  const sessions = { record: async () => undefined } as unknown as SessionLog;
  const registry = new LiveRegistry(sessions, pino({ level: 'silent' }));
  // in a function of its own, so that no variable of the test keeps the first stream alive
  const endFirst = async (): Promise<WeakRef<LiveStream>> => {
    const first = stream('st-1');
    assert.ok(registry.register(first));
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      await registry.finish(first, 'unpublished');
      mock.timers.tick(31_000); // the ended stream's linger (it serves its final playlist for 30 s) runs out
    } finally {
      mock.timers.reset();
    }
    return new WeakRef(first);
  };
  const ref = await endFirst();
  const second = stream('st-2');
  assert.ok(registry.register(second), 'the channel is free again');
  assert.equal(registry.forPlayback(second.playbackKey), second);
  for (let i = 0; i < 5 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  assert.equal(ref.deref(), undefined, 'the registry still holds the ended stream');
  await registry.finish(second, 'unpublished');
});
