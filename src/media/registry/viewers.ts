// Concurrent viewers as IVS counts them: distinct playback sessions active in the last minute. A
// session id rides in the media-playlist URLs handed out by the multivariant playlist, so segments
// stay identical for everyone (cacheable by a CDN) while playlist refreshes (every ~2 s) mark a
// viewer as present. A new viewer counts on its first refresh; one who leaves drops out after 60 s.

export class ViewerCounter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly activeWindowMs = 60_000) {}

  seen(sessionId: string, nowMs: number): void {
    this.lastSeen.set(sessionId, nowMs);
  }

  /** Distinct sessions seen within the window; prunes the rest. */
  count(nowMs: number): number {
    for (const [id, at] of this.lastSeen) {
      if (nowMs - at > this.activeWindowMs) this.lastSeen.delete(id);
    }
    return this.lastSeen.size;
  }
}
