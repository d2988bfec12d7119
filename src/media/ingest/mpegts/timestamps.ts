// 33-bit MPEG timestamps (90 kHz) onto a continuous timeline. PTS/DTS wrap every 2^33 ticks (26.5 hours) and a
// stream may start anywhere, even just before the wrap. Each value is placed at the 2^33 multiple that brings it
// closest to the previous one, so a forward wrap continues upwards and B-frame reordering (a PTS slightly before
// the previous one) stays a small step back. One clock per program: audio and video share it, so their relation
// survives the wrap.

export const WRAP_33 = 2 ** 33;

export class TimestampUnwrapper {
  private last: number | undefined;

  unwrap(ticks33: number): number {
    if (this.last === undefined) {
      this.last = ticks33;
      return ticks33;
    }
    const k = Math.round((this.last - ticks33) / WRAP_33);
    const extended = ticks33 + k * WRAP_33;
    this.last = extended;
    return extended;
  }
}

/** 90 kHz ticks to the media plane's milliseconds (fractional: the packager rounds back to the same ticks). */
export function ticksToMs(ticks: number): number {
  return ticks / 90;
}
