// STANDARD channels and the --max-transcodes capacity guard: a STANDARD stream past the limit is refused with
// Stream Failure "Transcode capacity exceeded", BASIC still publishes, and the slot is freed when a stream ends.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, pollUntil, waitForMultivariant } from '../helpers/live.js';
import { createChannel, publishAt, renditionName, waitForVariants } from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';

const SECRET = 'standard-test-secret';

describe('live: --max-transcodes capacity guard', { timeout: 80_000 }, () => {
  const { server, ivs, hook } = useServer({ webhook: { secret: SECRET }, args: ['--max-transcodes', '1'] });

  it('a second STANDARD stream is refused with Stream Failure "Transcode capacity exceeded"; BASIC still publishes; the slot is freed at the end', async () => {
    const a = await createChannel(ivs, 'cap-a', 'STANDARD');
    const b = await createChannel(ivs, 'cap-b', 'STANDARD');
    const c = await createChannel(ivs, 'cap-basic', 'BASIC');
    const pubA = publishAt(server.rtmpPort, a.key, '640x360', 40);
    try {
      await waitForVariants(a.channel.playbackUrl!, 2);

      const refused = await publishAt(server.rtmpPort, b.key, '640x360', 10).exited;
      assert.notEqual(refused.code, 0, `the second STANDARD publish is refused (stderr: ${refused.stderr})`);
      assert.ok(refused.ms < 10_000, `refused within 10 s (took ${refused.ms} ms)`);
      const offline = await get(b.channel.playbackUrl!);
      assert.equal(offline.status, 404, 'the refused channel is offline');

      const failure = await pollUntil(
        'Stream Failure for the refused channel',
        () =>
          hook
            .unique()
            .find(
              (e) =>
                e.detailType === 'IVS Stream State Change' &&
                e.envelope.detail?.event_name === 'Stream Failure' &&
                e.envelope.resources?.[0] === b.channel.arn,
            ),
        { timeoutMs: 10_000 },
      );
      assert.equal(failure.envelope.detail.reason, 'Transcode capacity exceeded');
      assert.equal(failure.envelope.detail.channel_name, 'cap-b');
      assert.equal(failure.signatureValid, true, 'signed delivery');
      assert.ok(
        !hook
          .unique()
          .some((e) => e.envelope.resources?.[0] === a.channel.arn && e.envelope.detail?.event_name === 'Stream Failure'),
        'no Stream Failure for the stream that holds the slot',
      );

      // BASIC needs no transcode slot.
      assert.ok(!pubA.done(), 'the first STANDARD stream is still live');
      const pubC = publishAt(server.rtmpPort, c.key, '640x360', 8);
      const { playlist: basic } = await waitForMultivariant(c.channel.playbackUrl!);
      assert.equal(basic.variants.length, 1, 'BASIC plays while the transcode capacity is used up');
      assert.ok(!pubC.done(), 'the BASIC publisher is live');
      await pubC.kill();

      // The slot is released when the first stream ends: B can now go live with its ladder.
      await pubA.kill();
      await pollUntil('channel A offline', async () => (await get(a.channel.playbackUrl!)).status === 404, { timeoutMs: 10_000 });
      const pubB = publishAt(server.rtmpPort, b.key, '640x360', 10);
      const { playlist: ladder, text } = await waitForVariants(b.channel.playbackUrl!, 2);
      assert.deepEqual(ladder.variants.map(renditionName).sort(), ['160p30', 'source'], `B transcoded after A ended:\n${text}`);
      assert.ok(!pubB.done(), 'the STANDARD publisher is accepted once the slot is free');
      await pubB.kill();
    } finally {
      await pubA.kill();
    }
  });
});
