// The test servers' port picker: ports come from below the kernel's ephemeral range, where no outgoing connection
// can take one between the check and the child's bind (the race CI lost once, as EADDRINUSE), and they are free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { freePort, freeUdpPort } from '../../devtools/free-port.js';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('TCP ports are below the ephemeral range, vary, and can be listened on', async () => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  for (const port of ports) {
    assert.ok(port >= 10_000 && port < ephemeralLow, `${port} not in [10000, ${ephemeralLow})`);
  }
  assert.ok(new Set(ports).size > 10, 'random picks should rarely repeat');
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(ports[0], '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => srv.close(() => resolve()));
});

test('a UDP port is below the ephemeral range and can be bound', async () => {
  const port = await freeUdpPort();
  assert.ok(port >= 10_000 && port < ephemeralLow);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
});
