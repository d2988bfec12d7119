// Tells the operator when an SRT publish loses data it cannot get back. SRT retransmits what the link loses within
// its latency window; what is still missing when that window closes is dropped ("too late"), and data JavaScript
// did not drain in time is dropped by the addon's queue. Both surface as continuity gaps in the MPEG-TS and as
// dropped access units, which viewers see as frozen or damaged pictures. This checks a live connection's counters
// every few seconds and logs a warning when any of them grew, and logs the whole account once when it ends.

import type { Logger } from 'pino';
import type { TsDemuxer, TsDemuxStats } from '../mpegts/demuxer.js';
import type { SrtStats } from './addon.js';
import type { SrtConnection } from './connection.js';

export const LOSS_CHECK_MS = 5_000;

/** The counters that only grow when media was lost for good. */
interface LossCounters {
  packetsDropped: number;
  bytesDroppedQueue: number;
  continuityGaps: number;
  droppedVideoUnits: number;
  skippedVideoUnits: number;
  droppedAudioPes: number;
}

function lossOf(srt: SrtStats | null, ts: TsDemuxStats): LossCounters {
  return {
    packetsDropped: srt?.packetsDropped ?? 0,
    bytesDroppedQueue: srt?.bytesDroppedQueue ?? 0,
    continuityGaps: ts.continuityGaps,
    droppedVideoUnits: ts.droppedVideoUnits,
    skippedVideoUnits: ts.skippedVideoUnits,
    droppedAudioPes: ts.droppedAudioPes,
  };
}

const NO_LOSS: LossCounters = {
  packetsDropped: 0,
  bytesDroppedQueue: 0,
  continuityGaps: 0,
  droppedVideoUnits: 0,
  skippedVideoUnits: 0,
  droppedAudioPes: 0,
};

function grew(now: LossCounters, before: LossCounters): boolean {
  return (Object.keys(now) as (keyof LossCounters)[]).some((k) => now[k] > before[k]);
}

export interface LossReport {
  /** Stops the checks and logs the connection's totals (`stats` are libsrt's final ones). */
  end(stats: SrtStats): void;
}

/** Starts checking `conn` (fed into `demuxer`); `label` names the stream in the log without its key. */
export function reportLoss(conn: SrtConnection, demuxer: TsDemuxer, log: Logger, label: string): LossReport {
  let reported = NO_LOSS;
  const where = { remoteAddress: conn.remoteAddress, key: label };
  const timer = setInterval(() => {
    const now = lossOf(conn.stats(), demuxer.stats);
    if (!grew(now, reported)) return;
    log.warn({ ...where, lost: now }, 'SRT publish lost media it could not recover (totals so far)');
    reported = now;
  }, LOSS_CHECK_MS);
  timer.unref();
  return {
    end(stats) {
      clearInterval(timer);
      const lost = lossOf(stats, demuxer.stats);
      const totals = {
        ...where,
        lost,
        packetsReceived: stats.packetsReceived,
        packetsLost: stats.packetsLost,
        packetsRetransmitted: stats.packetsRetransmitted,
        rttMs: stats.rttMs,
        latencyMs: stats.latencyMs,
      };
      if (grew(lost, NO_LOSS)) log.warn(totals, 'SRT publish ended; it lost media it could not recover');
      else log.info(totals, 'SRT publish ended');
    },
  };
}
