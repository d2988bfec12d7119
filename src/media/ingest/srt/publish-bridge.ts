// Glue between one accepted SRT connection and the publish path the RTMP ingest already feeds (ports.ts): the
// connection's MPEG-TS goes through a TsDemuxer into a PublishSession, and the registry gets a PublisherHandle to
// kick it. How a connection's end maps onto PublishEndReason: the caller leaving is 'disconnected', no media in
// time is 'timeout', a kick or server shutdown is 'kicked', anything broken ('error', 'overflow', 'unsupported') is
// 'error'.

import type { Logger } from 'pino';
import { streamKeyLabel } from '../log-safe.js';
import { DEFAULT_TS_LIMITS, TsDemuxer, type TsDemuxerLimits } from '../mpegts/demuxer.js';
import { TrackInterleaver } from '../mpegts/interleaver.js';
import type { PublishEndReason, PublisherHandle, PublishSession } from '../ports.js';
import type { SrtConnection } from './connection.js';
import { reportLoss } from './loss-report.js';

export function srtPublisherHandle(conn: SrtConnection): PublisherHandle {
  return {
    disconnect: () => conn.close('kicked'),
    get bytesReceived() {
      return conn.bytesReceived;
    },
    remoteAddress: conn.remoteAddress,
  };
}

/** Attaches `conn` to `session`; the session's onEnd runs exactly once, when the connection is gone. Media lost
 * for good (loss-report.ts) is logged to `log`. */
export function feedPublishSession(
  conn: SrtConnection,
  session: PublishSession,
  log: Logger,
  limits: TsDemuxerLimits = DEFAULT_TS_LIMITS,
): TsDemuxer {
  // Units in decode-time order across the tracks (interleaver.ts); a configuration applies after what came before it.
  const ordered = new TrackInterleaver((au) => session.onAccessUnit(au));
  const demuxer = new TsDemuxer(
    {
      onVideoConfig: (info) => {
        ordered.flush();
        session.onVideoConfig(info);
      },
      onAudioConfig: (info) => {
        ordered.flush();
        session.onAudioConfig(info);
      },
      onAccessUnit: (au) => ordered.push(au),
      onUnsupported: (description) => {
        session.onUnsupported(description);
        conn.close('unsupported');
      },
    },
    limits,
  );
  const loss = reportLoss(conn, demuxer, log, streamKeyLabel(conn.streamKey));
  conn.attach({
    data: (chunk, arrival) => demuxer.push(chunk, arrival),
    close: (reason, stats) => {
      if (reason === 'peer') demuxer.end(); // the caller finished: its last access units are complete
      ordered.flush();
      loss.end(stats);
      session.onEnd(endReason(reason));
    },
  });
  return demuxer;
}

export function endReason(reason: string): PublishEndReason {
  switch (reason) {
    case 'peer':
      return 'disconnected';
    case 'idle':
      return 'timeout';
    case 'kicked':
    case 'server':
    case 'listener-closed':
      return 'kicked';
    default:
      return 'error';
  }
}
