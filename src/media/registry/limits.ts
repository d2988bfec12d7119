// Channel-type ingest limits (ivs-reference.md): what each type accepts before IVS disconnects the
// stream with an `IVS Limit Breach` event. BASIC follows the later docs (up to 1080p, 3.5 Mbps);
// STANDARD and ADVANCED accept up to 1080p and 8.5 Mbps.

export interface IngestLimits {
  maxWidth: number;
  maxHeight: number;
  maxBitrate: number;
}

const FULL_HD = { maxWidth: 1920, maxHeight: 1080 };

export function limitsFor(channelType: string): IngestLimits {
  return channelType === 'BASIC' ? { ...FULL_HD, maxBitrate: 3_500_000 } : { ...FULL_HD, maxBitrate: 8_500_000 };
}

export interface Breach {
  limitName: 'Ingest Resolution' | 'Ingest Bitrate';
  limitValue: number;
  exceededBy: number;
  limitUnit: 'pixels' | 'bps';
}

/** Portrait input is allowed: the long side is compared with 1920 and the short side with 1080. */
export function resolutionBreach(limits: IngestLimits, width: number, height: number): Breach | undefined {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (long <= limits.maxWidth && short <= limits.maxHeight) return undefined;
  const allowed = limits.maxWidth * limits.maxHeight;
  return {
    limitName: 'Ingest Resolution',
    limitValue: allowed,
    exceededBy: Math.max(0, width * height - allowed),
    limitUnit: 'pixels',
  };
}

/** `measuredBps` is an average over several seconds; a 20% tolerance absorbs encoder bursts. */
export function bitrateBreach(limits: IngestLimits, measuredBps: number): Breach | undefined {
  if (measuredBps <= limits.maxBitrate * 1.2) return undefined;
  return {
    limitName: 'Ingest Bitrate',
    limitValue: limits.maxBitrate,
    exceededBy: Math.round(measuredBps - limits.maxBitrate),
    limitUnit: 'bps',
  };
}
