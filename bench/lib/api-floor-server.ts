// The floor for bench:api: the least any server must do to answer a signed IVS API call, on node:http, with nothing
// of openivs's own around it. It reads the body, verifies SigV4 with openivs's verifier (one SHA-256 of the body, one
// of the canonical request, one HMAC: the crypto every API call needs), parses the JSON input, and answers fixed
// bytes (a GetChannel response) with a request id. What openivs spends beyond this server is its own routing,
// validation, storage, serialization, metrics and error handling; what this server spends beyond the bare one is
// the protocol's unavoidable cost on this machine.
// Usage: node api-floor-server.js <port> <body-file>

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CredentialStore, SigV4Verifier } from '../../src/api/auth/index.js';
import { DEFAULT_CREDENTIALS } from '../../src/config/index.js';

const [port, bodyFile] = process.argv.slice(2);
const answer = readFileSync(bodyFile!);
const verifier = new SigV4Verifier(new CredentialStore(DEFAULT_CREDENTIALS), { service: 'ivs', clockSkewMs: 15 * 60_000 });

createServer({ keepAlive: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      verifier.authenticate({
        method: req.method ?? 'GET',
        rawPath: q === -1 ? url : url.slice(0, q),
        rawQuery: q === -1 ? '' : url.slice(q + 1),
        headers: req.headers,
        body,
      });
      JSON.parse(body.toString('utf8'));
    } catch {
      res.writeHead(403, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      'content-length': answer.length,
    });
    res.end(answer);
  });
}).listen(Number(port), '127.0.0.1');
