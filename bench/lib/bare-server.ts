// The baseline peer for API and playback benchmarks: a bare node:http server that answers every request with the
// same bytes openivs would send, so the ratio isolates openivs's own per-request work.
// Usage: node bare-server.js <port> <body-file> [<headers-json-file>]
// Without a headers file the response is `content-type: application/json`; with one, the headers are exactly that
// JSON object's (e.g. those openivs sent for a playlist or segment), with content-length set from the body.

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const [port, bodyFile, headersFile] = process.argv.slice(2);
const body = readFileSync(bodyFile!);
const headers: Record<string, string | number> = headersFile
  ? { ...(JSON.parse(readFileSync(headersFile, 'utf8')) as Record<string, string>), 'content-length': body.length }
  : { 'content-type': 'application/json', 'content-length': body.length };
createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1');
