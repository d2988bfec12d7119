// Display formats: bit rates, durations, times, ARN ids.

export function bitrate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbps`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kbps`;
  return `${Math.round(bps)} bps`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export function time(value: Date | string | number | undefined): string {
  if (value === undefined || value === '') return '—';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

export function clock(value: Date | string | number): string {
  const d = value instanceof Date ? value : new Date(value);
  return d.toLocaleTimeString();
}

/** The resource id at the end of an ARN. */
export const arnId = (arn: string | undefined) => (arn ?? '').slice((arn ?? '').lastIndexOf('/') + 1);
