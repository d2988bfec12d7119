// The baseline peer for API benchmarks: a bare node:http server that answers every request with the
// same bytes openivs would send, so the ratio isolates openivs's own per-request work.
// Usage: node bare-server.js <port> <body-file>

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const [port, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile!);
createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1');
