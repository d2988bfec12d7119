// A page of another loopback origin for the browser tests: players load from it and reach openivs over CORS, as on a
// real site (not about:blank, which Chromium keeps away from loopback).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BlankPage {
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function startBlankPage(): Promise<BlankPage> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><body></body>'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    origin,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
