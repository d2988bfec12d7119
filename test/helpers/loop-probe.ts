// Reads the server's own event-loop and memory figures (GET /_openivs/health?loop, loopback only):
// each reading covers the time since the previous one, so a test reads once to start a window, does
// its hostile work, and reads again to learn the longest stall and the memory it left behind.

export interface LoopReading {
  maxDelayMs: number;
  meanDelayMs: number;
  rssBytes: number;
  windowMs: number;
}

export async function readLoop(server: { url: string }): Promise<LoopReading> {
  const res = await fetch(`${server.url}/_openivs/health?loop`, { signal: AbortSignal.timeout(30_000) });
  const body = (await res.json()) as { loop?: LoopReading };
  if (!body.loop) throw new Error(`health answered without loop figures (status ${res.status})`);
  return body.loop;
}

/** Starts a window, runs `work`, and returns the figures of the window together with work's result. */
export async function measureLoop<T>(server: { url: string }, work: () => Promise<T>): Promise<{ result: T; loop: LoopReading }> {
  await readLoop(server);
  const result = await work();
  return { result, loop: await readLoop(server) };
}
