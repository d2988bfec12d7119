// NodeRepository over Kysely (dialect-neutral): the node list behind GET /_openivs/cluster and the
// liveness other nodes judge by. Every time is the database's (SqlFeatures.nowMs), so a node's age
// does not depend on how well the nodes' clocks agree.

import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, NodesTable } from '../schema.js';
import type { NodeRepository, NodeRow, NodeStats } from '../store-cluster.js';
import type { SqlFeatures } from './dialect.js';

export class KyselyNodeRepository implements NodeRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: SqlFeatures,
  ) {}

  async heartbeat(node: { nodeId: string; url: string; restarted: boolean } & NodeStats): Promise<void> {
    const now = this.features.nowMs();
    await this.db
      .insertInto('nodes')
      .values({
        node_id: node.nodeId,
        url: node.url,
        started_at: now,
        heartbeat_at: now,
        live_streams: node.liveStreams,
        free_transcode_slots: node.freeTranscodeSlots,
      })
      .onConflict((oc) =>
        oc.column('node_id').doUpdateSet((eb) => ({
          url: eb.ref('excluded.url'),
          heartbeat_at: eb.ref('excluded.heartbeat_at'),
          live_streams: eb.ref('excluded.live_streams'),
          free_transcode_slots: eb.ref('excluded.free_transcode_slots'),
          ...(node.restarted ? { started_at: eb.ref('excluded.started_at') } : {}),
        })),
      )
      .execute();
  }

  async list(): Promise<NodeRow[]> {
    const rows = await this.db
      .selectFrom('nodes')
      .selectAll()
      .select(this.features.nowMs().as('read_at'))
      .orderBy(this.features.binaryOrder(sql.ref('node_id')))
      .execute();
    return rows.map(decode);
  }

  async remove(nodeId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('nodes').where('node_id', '=', nodeId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async prune(olderThanMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('nodes')
      .where('heartbeat_at', '<', sql<number>`${this.features.nowMs()} - ${Math.round(olderThanMs)}`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function decode(raw: Selectable<NodesTable> & { read_at: number | string }): NodeRow {
  // Number(): PostgreSQL returns bigint columns as strings.
  return {
    nodeId: raw.node_id,
    url: raw.url,
    startedAt: Number(raw.started_at),
    heartbeatAt: Number(raw.heartbeat_at),
    liveStreams: Number(raw.live_streams),
    freeTranscodeSlots: Number(raw.free_transcode_slots),
    readAt: Number(raw.read_at),
  };
}
