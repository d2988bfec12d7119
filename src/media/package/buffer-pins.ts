// Pins on the buffers a packager reuses. The TS muxer writes every segment into one working buffer per rendition and
// hands out the open segment's LL-HLS parts as views of it; once the segment closes, its bytes and parts move to an
// exact-size copy, and the working buffer is written again for the next segment. A response may still be sending a
// part from it (a slow viewer; node keeps the Buffer until the socket has taken it), so whoever sends a part pins
// its buffer until the response closes, and the packager reuses a buffer only when nothing pins it; else it takes a
// fresh one, as it always did before. Reuse spares V8 one large allocation per segment and rendition, and with it
// the full garbage collections that external allocations start (see README, "Node flags").
//
// Keyed by the ArrayBuffer, so a part's Buffer is all a sender needs; a buffer nobody registered is never pinned.

const pins = new WeakMap<ArrayBufferLike, number>();

/** `buf` is a working buffer that its owner may write again once it is not pinned; it must own its ArrayBuffer. */
export function registerReusable(buf: Buffer): void {
  pins.set(buf.buffer, 0);
}

/** Whether a response is still sending from `buf` (or it was retired): its owner must not write it again. */
export function isPinned(buf: Buffer): boolean {
  return (pins.get(buf.buffer) ?? 0) !== 0;
}

/** `buf` must never be written again (views of it outlive the segment): pinned for good. */
export function retire(buf: Buffer): void {
  if (pins.has(buf.buffer)) pins.set(buf.buffer, Infinity);
}

/** Pins the buffer under `bytes` if it is a reusable one; the returned release undoes it once. */
export function pin(bytes: Buffer): (() => void) | undefined {
  const key = bytes.buffer;
  const count = pins.get(key);
  if (count === undefined) return undefined;
  pins.set(key, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    pins.set(key, (pins.get(key) ?? 1) - 1);
  };
}

/** Pins the buffer under `bytes` until `res` closes (finished, or its connection gone). */
export function pinUntilClosed(res: { once(event: 'close', listener: () => void): unknown }, bytes: Buffer): void {
  const release = pin(bytes);
  if (release !== undefined) res.once('close', release);
}
