// PutMetadata → video latency, shared by bench:auth (one node) and bench:cluster (sent to a node that does not own the
// stream): from the API response to the LL-HLS part carrying the tag being listed, followed with blocking reloads
// (_HLS_msn/_HLS_part) like a low-latency player; each new part is fetched and its ID3 found with @svta/cml-id3 (via
// the tests' TS demuxer). Calls go at random phases of the part cadence, under IVS's 5 calls/s.

import { randomBytes } from 'node:crypto';
import { txxxFromTs } from '../../devtools/id3-carriage.js';
import { followParts } from './part-follower.js';
import { sleep } from './processes.js';

export interface MetadataLatency {
  /** ms from each answered call to its part being listed, sorted; calls whose tag never showed are missing. */
  latencies: number[];
  calls: number;
  /** Mean part duration (ms) and PART-TARGET (s) of the followed playlist. */
  partMs: number;
  partTarget: number;
}

/** Follows `mediaUrl`'s parts while `send(text)` is called `calls` times (`label` names the texts). */
export async function measureMetadataLatency(
  mediaUrl: string,
  calls: number,
  label: string,
  send: (text: string, i: number) => Promise<void>,
): Promise<MetadataLatency> {
  const listed = new Map<string, number>(); // text → when the part carrying it was listed
  const streams = new Map<number, number>(); // PMT streams, learnt from a segment's first part
  const follower = followParts(mediaUrl, (part) => {
    for (const frame of txxxFromTs(part.bytes, streams)) if (!listed.has(frame.text)) listed.set(frame.text, part.listedAt);
  });
  const answered = new Map<string, number>();
  try {
    await sleep(1000);
    for (let i = 0; i < calls; i++) {
      const text = `${label} metadata ${i} ${randomBytes(4).toString('hex')}`;
      await send(text, i);
      answered.set(text, performance.now());
      await sleep(700 + Math.random() * 600); // random phase within the parts; stays under 5 calls/s
    }
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && listed.size < answered.size;) await sleep(100);
  } finally {
    await follower.stop();
  }
  const latencies = [...answered]
    .filter(([t]) => listed.has(t))
    .map(([t, at]) => listed.get(t)! - at)
    .sort((a, b) => a - b);
  const partMs = 1000 * (follower.partDurations.reduce((s, d) => s + d, 0) / follower.partDurations.length);
  return { latencies, calls: answered.size, partMs, partTarget: follower.partTarget };
}
