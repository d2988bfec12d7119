// Outputs rendered once per stored row. A row the SQLite store hands out from its cache is deep-frozen and replaced,
// not changed, by a write (storage/sqlite/resources.ts), so what a handler renders from such a row (and the rows it
// depends on, and the process's fixed endpoints) cannot change either: it is kept beside the row and frozen, and the
// serializer writes a frozen output's JSON once (serialize.ts, stableOutput). Rows that are not frozen (PostgreSQL's,
// read fresh each time) are rendered every call, as before. Why: a GetChannel of the same channel, the API's most
// frequent call, rendered and serialized the same bytes on every request (~3 µs of serializing alone, timed in the
// server; with the writer and decoder changes beside it, 14% less server CPU per call in an A/B of two processes,
// which on this machine can differ by up to ~11% on their own: see bench/api.ts, BENCH_PROCESSES).

import type { PublicEndpoints } from '../../domain/urls.js';
import { stableOutput } from '../protocol/index.js';

interface Rendered {
  dependency: object | undefined;
  /** The endpoints as they were when rendered: the playback base URL is set once the HTTP port is bound. */
  host: string;
  playbackBaseUrl: string;
  output: object;
}

const rendered = new WeakMap<object, Rendered>();

/**
 * `render()`'s output for `row`, `dependency` (another row it is rendered from, or undefined) and `endpoints`, computed
 * once while both rows are frozen and the same objects and the endpoints unchanged; otherwise rendered afresh.
 */
export function renderedOnce<T extends object>(
  row: object,
  dependency: object | undefined,
  endpoints: PublicEndpoints,
  render: () => T,
): T {
  if (!Object.isFrozen(row) || (dependency !== undefined && !Object.isFrozen(dependency))) return render();
  const hit = rendered.get(row);
  if (
    hit !== undefined &&
    hit.dependency === dependency &&
    hit.host === endpoints.host &&
    hit.playbackBaseUrl === endpoints.playbackBaseUrl
  ) {
    return hit.output as T;
  }
  const output = stableOutput(render());
  rendered.set(row, { dependency, host: endpoints.host, playbackBaseUrl: endpoints.playbackBaseUrl, output });
  return output;
}
