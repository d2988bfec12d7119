// Who holds the Buffers: reads a V8 heap snapshot (memory-probe.ts writes one) and attributes every ArrayBuffer's
// backing store (the bytes behind Buffers, outside the JavaScript heap) to the path that retains it, e.g.
// `PacketSink.buf` or `SegmentWindow.all[] → Object.bytes`. A small view keeps its whole ArrayBuffer alive, so the
// bytes counted are the backing store's, once per ArrayBuffer, under the first retainer path found; `views` says how
// many Buffers/typed arrays share it.
// CLI: `node dist/devtools/heap-buffers.js <file.heapsnapshot> [top=25]`.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface BufferOwner {
  path: string;
  bytes: number;
  arrayBuffers: number;
  views: number;
}

/** Path steps that say nothing about the owner: walked through when naming it. */
const TRANSPARENT = new Set(['Array', '(object elements)', 'system / Context', '(internal array)', 'system / JSArrayBufferData']);
const VIEW_NAMES = new Set(['Buffer', 'Uint8Array', 'FastBuffer', 'DataView', 'Int32Array', 'Float64Array', 'Uint32Array']);

export function bufferOwners(snapshotJson: string): { owners: BufferOwner[]; total: number } {
  const s = JSON.parse(snapshotJson) as Snapshot;
  const meta = s.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nSize = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const nodeCount = s.nodes.length / nf;

  // Reverse edges: for each node, its retainers (node ordinal, edge index).
  const retainerCount = new Uint32Array(nodeCount + 1);
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let n = 0, e = 0; n < nodeCount; n++) {
    firstEdge[n] = e;
    e += s.nodes[n * nf + nEdges]! * ef;
  }
  for (let e = 0; e < s.edges.length; e += ef) retainerCount[s.edges[e + eTo]! / nf]!++;
  const retStart = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) retStart[n + 1] = retStart[n]! + retainerCount[n]!;
  const retFrom = new Uint32Array(retStart[nodeCount]!);
  const retEdge = new Uint32Array(retStart[nodeCount]!);
  const fill = retStart.slice();
  for (let n = 0; n < nodeCount; n++) {
    const start = firstEdge[n]!;
    const end = start + s.nodes[n * nf + nEdges]! * ef;
    for (let e = start; e < end; e += ef) {
      const to = s.edges[e + eTo]! / nf;
      retFrom[fill[to]!] = n;
      retEdge[fill[to]!] = e;
      fill[to]!++;
    }
  }
  const name = (n: number) => s.strings[s.nodes[n * nf + nName]!]!;
  const type = (n: number) => nodeTypes[s.nodes[n * nf + nType]!]!;
  const edgeLabel = (e: number) => {
    const t = edgeTypes[s.edges[e + eType]!]!;
    const v = s.edges[e + eName]!;
    return t === 'element' || t === 'hidden' ? '[]' : (s.strings[v] ?? String(v));
  };
  const weak = (e: number) => edgeTypes[s.edges[e + eType]!] === 'weak';

  /** The retainer path of `n`, up to a few named steps, skipping views, arrays and contexts. */
  const describe = (start: number): string => {
    const steps: string[] = [];
    const seen = new Set<number>([start]);
    let n = start;
    for (let depth = 0; depth < 12 && steps.length < 3; depth++) {
      let next = -1;
      let via = -1;
      for (let r = retStart[n]!; r < retStart[n + 1]!; r++) {
        const from = retFrom[r]!;
        if (weak(retEdge[r]!) || seen.has(from) || type(from) === 'synthetic') continue;
        next = from;
        via = retEdge[r]!;
        break;
      }
      if (next < 0) break;
      seen.add(next);
      const owner = name(next);
      if (!TRANSPARENT.has(owner) && !VIEW_NAMES.has(owner) && owner !== 'ArrayBuffer') {
        steps.push(`${owner}.${edgeLabel(via)}`);
      } else if (owner === 'Array' || owner === '(object elements)') {
        if (steps[steps.length - 1] !== '[]') steps.push('[]');
      }
      n = next;
    }
    return steps.reverse().join(' → ') || '(unreachable)';
  };

  const byPath = new Map<string, BufferOwner>();
  let total = 0;
  for (let n = 0; n < nodeCount; n++) {
    if (name(n) !== 'system / JSArrayBufferData') continue;
    const bytes = s.nodes[n * nf + nSize]!;
    total += bytes;
    // The ArrayBuffer owning this store, then its views.
    let ab = -1;
    for (let r = retStart[n]!; r < retStart[n + 1]!; r++) if (name(retFrom[r]!) === 'ArrayBuffer') ab = retFrom[r]!;
    let views = 0;
    let viewNode = -1;
    if (ab >= 0) {
      for (let r = retStart[ab]!; r < retStart[ab + 1]!; r++) {
        if (VIEW_NAMES.has(name(retFrom[r]!))) {
          views++;
          if (viewNode < 0) viewNode = retFrom[r]!;
        }
      }
    }
    const path = describe(viewNode >= 0 ? viewNode : ab >= 0 ? ab : n);
    const o = byPath.get(path) ?? { path, bytes: 0, arrayBuffers: 0, views: 0 };
    o.bytes += bytes;
    o.arrayBuffers++;
    o.views += views;
    byPath.set(path, o);
  }
  return { owners: [...byPath.values()].sort((a, b) => b.bytes - a.bytes), total };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: heap-buffers <file.heapsnapshot> [top]');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  const { owners, total } = bufferOwners(readFileSync(file, 'utf8'));
  console.log(`ArrayBuffer backing stores: ${(total / 1048576).toFixed(2)} MB`);
  for (const o of owners.slice(0, top)) {
    console.log(
      `${(o.bytes / 1048576).toFixed(2).padStart(8)} MB  ${String(o.arrayBuffers).padStart(5)} buffers ${String(o.views).padStart(6)} views  ${o.path}`,
    );
  }
}
