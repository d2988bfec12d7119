// Free ports for the servers the tests and benchmarks start (openivs, nginx, PostgreSQL, Prometheus, S3).
//
// Why not simply listen on port 0: that hands out a port from the kernel's ephemeral range, the same range every
// outgoing connection takes its local port from. Between closing the probe and the child binding the port, any of
// the suite's thousands of client connections may take it, and the child dies with EADDRINUSE (CI saw exactly this).
// So ports come from below the ephemeral range, where no outgoing connection lands, at random so parallel test files
// rarely pick the same one; each candidate is bind-checked. Callers that start a child still retry on EADDRINUSE,
// since two test files can pick the same port in the instant between check and bind.

import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOWEST = 10_000;
const ATTEMPTS = 50;

/** The first port of the kernel's ephemeral range (32768 unless the host changed it). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** A random candidate below the ephemeral range, or 0 (any port) when the host leaves no room below it. */
function candidate(): number {
  const high = ephemeralLow();
  if (high - LOWEST < 1000) return 0;
  return LOWEST + Math.floor(Math.random() * (high - LOWEST));
}

function tryTcp(port: number): Promise<number | undefined> {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolvePort(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr !== null ? addr.port : undefined;
      srv.close(() => resolvePort(bound));
    });
  });
}

function tryUdp(port: number): Promise<number | undefined> {
  return new Promise((resolvePort) => {
    const socket = createSocket('udp4');
    socket.unref();
    socket.once('error', () => {
      socket.close();
      resolvePort(undefined);
    });
    socket.bind(port, '127.0.0.1', () => {
      const bound = socket.address().port;
      socket.close(() => resolvePort(bound));
    });
  });
}

async function pick(tryPort: (port: number) => Promise<number | undefined>): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = await tryPort(candidate());
    if (port !== undefined) return port;
  }
  const any = await tryPort(0);
  if (any === undefined) throw new Error('no free port on 127.0.0.1');
  return any;
}

/** A TCP port on 127.0.0.1 free right now, outside the ephemeral range. */
export function freePort(): Promise<number> {
  return pick(tryTcp);
}

/** A UDP port on 127.0.0.1 free right now (for SRT), outside the ephemeral range. */
export function freeUdpPort(): Promise<number> {
  return pick(tryUdp);
}
