// Transcode capacity is a cluster property: three openivs nodes on a throwaway PostgreSQL, where A and C may not
// transcode (--max-transcodes 0) and B may transcode one stream. With real clients: ffmpeg publishes a STANDARD
// channel straight to A's RTMP port; A keeps the stream (lease, session, packaging, playback) while its ffmpeg runs
// on B (a child of B's process, none of A's), fed over the relay; the multivariant playlist on A and on C lists the
// ladder; ffprobe reads the 360p30 rendition at 360 lines; GET /_openivs/cluster shows B's slot taken during the
// stream and free again after it; a second STANDARD publish while B's only slot is taken is refused with the
// `Stream Failure` "Transcode capacity exceeded" event; kill -9 of B mid-stream leaves A's source rendition playing,
// and once B is back the transcode reconnects to it (a broken relay is an ffmpeg exit, restarted by the Transcoder).
// The its run in order and share the cluster.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IvsClient } from '@aws-sdk/client-ivs';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import {
  getMediaPlaylist,
  get,
  killAllChildren,
  playlistEnd,
  pollUntil,
  startWebhookReceiver,
  type Running,
  type WebhookReceiver,
} from '../helpers/live.js';
import {
  createChannel,
  ffmpegChildrenOf,
  probeStreams,
  publishAt,
  renditionName,
  variantByName,
  waitForVariants,
  type Created,
} from '../helpers/ladder.js';

const SECRET = 'transcode-relay-secret-0123456789abcdef';
const NAMES = ['A', 'B', 'C'] as const;
/** 854x480 gets the 360p30 and 160p30 rungs besides the source: two encodes, light enough for a shared 2-core box. */
const SOURCE_SIZE = '854x480';
const LADDER = ['160p30', '360p30', 'source'];

interface ClusterNode {
  nodeId: string;
  alive: boolean;
  freeTranscodeSlots: number;
}

describe(
  'cluster: a STANDARD publish on a node without a transcode slot is transcoded on one with a slot',
  { timeout: 300_000 },
  () => {
    let postgres: PgServer;
    let webhook: WebhookReceiver;
    const nodes: TestServer[] = [];
    let nodeIds: string[] = [];
    let ivsA: IvsClient;
    let channel: Created;
    let publisher: Running | undefined;

    const A = () => nodes[0]!;
    const B = () => nodes[1]!;
    const C = () => nodes[2]!;
    /** The channel's playback URL on a given node. */
    const onNode = (url: string, node: TestServer) => {
      const u = new URL(url);
      return `${node.url}${u.pathname}${u.search}`;
    };
    const detail = () => nodes.map((n, i) => `--- node ${NAMES[i]} ---\n${n.logs().slice(-3000)}`).join('\n');
    /** B as the cluster list of a node shows it. */
    const bAsSeenBy = async (node: TestServer): Promise<ClusterNode | undefined> => {
      const listed = (await (await fetch(`${node.url}/_openivs/cluster`)).json()) as { nodes: ClusterNode[] };
      return listed.nodes.find((n) => n.nodeId === nodeIds[1]);
    };
    const bSlots = (free: number) =>
      pollUntil(
        `node B's free transcode slots to read ${free} on node C`,
        async () => (await bAsSeenBy(C()))?.freeTranscodeSlots === free,
        {
          timeoutMs: 15_000,
        },
      );

    before(async () => {
      postgres = await startPostgres();
      const databaseUrl = await postgres.createDatabase();
      webhook = await startWebhookReceiver(undefined);
      const env = { OPENIVS_DATABASE_URL: databaseUrl, OPENIVS_CLUSTER_SECRET: SECRET, OPENIVS_EVENT_WEBHOOKS: webhook.url };
      // One after the other: the first runs the migrations.
      for (const slots of ['0', '1', '0'])
        nodes.push(await startServer({ env, args: ['--max-transcodes', slots, '--log-level', 'info'] }));
      nodeIds = await Promise.all(
        nodes.map(async (n) => ((await (await fetch(`${n.url}/_openivs/cluster`)).json()) as { nodeId: string }).nodeId),
      );
      ivsA = ivsClient(A());
      await pollUntil('every node to see three alive nodes', async () => {
        const lists = await Promise.all(
          nodes.map(async (n) => ((await (await fetch(`${n.url}/_openivs/cluster`)).json()) as { nodes: ClusterNode[] }).nodes),
        );
        return lists.every((l) => l.filter((x) => x.alive).length === 3);
      });
      await bSlots(1);
    });

    after(async () => {
      killAllChildren();
      await Promise.all(nodes.map((n) => n.stop()));
      await webhook?.close();
      await postgres?.destroy();
    });

    it('ffmpeg publishes to A; the ladder is made on B and plays from A and C; B shows its slot taken', async () => {
      channel = await createChannel(ivsA, 'relay', 'STANDARD');
      publisher = publishAt(A().rtmpPort, channel.key, SOURCE_SIZE, 240);
      const playbackUrl = channel.channel.playbackUrl!;
      for (const node of [A(), C()]) {
        const { playlist, text } = await waitForVariants(onNode(playbackUrl, node), 3, 40_000).catch((err: Error) => {
          throw new Error(`${err.message}\n${detail()}`);
        });
        assert.deepEqual(playlist.variants.map(renditionName).sort(), LADDER, `the ladder on ${node.url}:\n${text}`);
      }
      const { playlist } = await waitForVariants(onNode(playbackUrl, A()), 3);
      const rendition = variantByName(onNode(playbackUrl, A()), playlist, '360p30');
      const probed = await probeStreams(rendition);
      assert.equal(probed.video?.height, 360, `the 360p30 rendition from A: ${JSON.stringify(probed)}`);
      assert.equal(probed.video?.codec, 'h264');
      assert.equal(probed.audio?.codec, 'aac');
      // The encode runs on B: an ffmpeg child of B's process, none of A's (A has no slot to run one).
      assert.equal(ffmpegChildrenOf(B().proc.pid!).length, 1, `one ffmpeg on B\n${detail()}`);
      assert.deepEqual(ffmpegChildrenOf(A().proc.pid!), [], 'no ffmpeg on A');
      await bSlots(0);
      assert.equal((await bAsSeenBy(A()))?.alive, true);
    });

    it('with B\'s only slot taken, a second STANDARD publish is refused with Stream Failure "Transcode capacity exceeded"', async () => {
      const second = await createChannel(ivsA, 'relay-refused', 'STANDARD');
      const refused = await publishAt(A().rtmpPort, second.key, SOURCE_SIZE, 10).exited;
      assert.notEqual(refused.code, 0, `the second STANDARD publish is refused (stderr: ${refused.stderr})`);
      const failure = await pollUntil(
        'Stream Failure for the refused channel',
        () =>
          webhook
            .unique()
            .find(
              (e) =>
                e.detailType === 'IVS Stream State Change' &&
                e.envelope.detail?.event_name === 'Stream Failure' &&
                e.envelope.resources?.[0] === second.channel.arn,
            ),
        { timeoutMs: 10_000 },
      );
      assert.equal(failure.envelope.detail.reason, 'Transcode capacity exceeded');
      assert.equal((await get(onNode(second.channel.playbackUrl!, A()))).status, 404, 'the refused channel is offline');
      assert.ok(!publisher!.done(), 'the first stream is still live');
    });

    it('the slot on B is free again when the stream ends, and B runs no ffmpeg', async () => {
      await publisher!.kill();
      await pollUntil(
        'the stream offline on A',
        async () => (await get(onNode(channel.channel.playbackUrl!, A()))).status === 404,
      );
      await bSlots(1);
      await pollUntil('no ffmpeg left on B', () => ffmpegChildrenOf(B().proc.pid!).length === 0);
    });

    it('kill -9 of B mid-stream: the source rendition keeps playing on A', async () => {
      publisher = publishAt(A().rtmpPort, channel.key, SOURCE_SIZE, 240);
      const playbackUrl = onNode(channel.channel.playbackUrl!, A());
      const { playlist } = await waitForVariants(playbackUrl, 3, 40_000);
      assert.deepEqual(playlist.variants.map(renditionName).sort(), LADDER);
      const source = variantByName(playbackUrl, playlist, 'source');
      await B().kill9();
      const { playlist: atKill } = await getMediaPlaylist(source);
      const endAtKill = playlistEnd(atKill);
      // Three more segments after B died: the source is packaged on A whatever happens to the transcode.
      await pollUntil(
        'the source rendition on A to go on after kill -9 of B',
        async () => playlistEnd((await getMediaPlaylist(source)).playlist) >= endAtKill + 3,
        { timeoutMs: 30_000 },
      );
      assert.ok(!publisher.done(), `the publisher is still connected to A\n${detail()}`);
      const probed = await probeStreams(source);
      assert.equal(probed.video?.height, 480, 'the source rendition plays at its own size');
      assert.equal((await get(playbackUrl)).status, 200, 'the multivariant playlist still answers on A');
    });

    it('B restarted: the broken relay counted as an ffmpeg exit, and the restart reconnects to B; the 360p30 rendition goes on', async () => {
      const playbackUrl = onNode(channel.channel.playbackUrl!, A());
      const { playlist } = await waitForVariants(playbackUrl, 3);
      const rung = variantByName(playbackUrl, playlist, '360p30');
      const endBefore = playlistEnd((await getMediaPlaylist(rung)).playlist);
      await B().restart();
      await pollUntil(
        'the 360p30 rendition on A to get new segments from the restarted B',
        async () => playlistEnd((await getMediaPlaylist(rung)).playlist) >= endBefore + 2,
        { timeoutMs: 60_000 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${detail()}`);
      });
      assert.equal(ffmpegChildrenOf(B().proc.pid!).length, 1, `the ffmpeg runs on B again\n${detail()}`);
      assert.deepEqual(ffmpegChildrenOf(A().proc.pid!), [], 'never on A');
      await bSlots(0);
      // A graceful stop of B while it relays: B ends the relay (its HTTP server would otherwise wait for the
      // upgraded socket) and exits cleanly; the transcode comes back once B is up again.
      const stopped = B().proc;
      await B().restart();
      assert.deepEqual({ code: stopped.exitCode, signal: stopped.signalCode }, { code: 0, signal: null }, detail());
      const endAfterStop = playlistEnd((await getMediaPlaylist(rung)).playlist);
      await pollUntil(
        'the 360p30 rendition on A to go on after a graceful restart of B',
        async () => playlistEnd((await getMediaPlaylist(rung)).playlist) >= endAfterStop + 2,
        { timeoutMs: 60_000 },
      );
      await publisher!.kill();
      await bSlots(1);
    });
  },
);
