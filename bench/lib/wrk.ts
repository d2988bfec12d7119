// wrk (Debian's `wrk`, C and epoll) replaying one signed request: on this 2-core machine autocannon, a node process,
// takes a core from the server it measures and under-reports it; wrk costs a fraction of that. The request goes in a
// Lua script (method, headers, body); wrk's summary is read back from its `done` hook as JSON.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SignedHttp } from './signing.js';

const execFileAsync = promisify(execFile);

export interface WrkResult {
  rps: number;
  requests: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal for this ASCII

function script(req: SignedHttp): string {
  const headers = Object.entries(req.headers)
    .filter(([name]) => name.toLowerCase() !== 'host' && name.toLowerCase() !== 'content-length')
    .map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`)
    .join('\n');
  return `wrk.method = ${lua(req.method)}
wrk.path = ${lua(req.path)}
wrk.body = ${lua(req.body)}
${headers}
local non2xx = 0
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK-JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout))
end
`;
}

/**
 * Replays `req` against 127.0.0.1:`port` with `connections` connections on `threads` threads for `seconds`, pinned to
 * `cpu` when given (taskset).
 */
export async function wrkLoad(
  port: number,
  req: SignedHttp,
  seconds: number,
  connections = 32,
  threads = 2,
  cpu?: number,
): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'openivs-wrk-'));
  try {
    const file = join(dir, 'request.lua');
    writeFileSync(file, script(req));
    const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '-s', file, `http://127.0.0.1:${port}`];
    const [command, argv] = cpu === undefined ? ['wrk', args] : ['taskset', ['-c', String(cpu), 'wrk', ...args]];
    const { stdout } = await execFileAsync(command, argv, { timeout: (seconds + 30) * 1000 });
    const line = stdout.split('\n').find((l) => l.startsWith('WRK-JSON '));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const s = JSON.parse(line.slice('WRK-JSON '.length)) as Record<string, number>;
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
    return {
      rps: s.requests! / (s.duration_us! / 1e6),
      requests: s.requests!,
      p50: s.p50_us! / 1000,
      p99: s.p99_us! / 1000,
      errors: s.errors!,
      non2xx,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
