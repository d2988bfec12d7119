// openivs with a bare node:http listener in the same process: the ceiling of any handler there. The listener answers
// every request as bench/lib/bare-server.ts does (the same body and headers, once the bench has written them), so
// beside a bare server in a process of its own it measures what the openivs process costs a request whatever the
// handler does (its other work, its heap, node's shared code seeing many kinds of objects), and beside openivs's own
// answer what the handler costs. Run as the entry script in place of dist/src/main.js, with main's arguments; the
// listener's port and files come from BENCH_BARE_PORT, BENCH_BARE_BODY and BENCH_BARE_HEADERS.

import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env.BENCH_BARE_PORT);
const bodyFile = process.env.BENCH_BARE_BODY!;
const headersFile = process.env.BENCH_BARE_HEADERS!;
let answer: { body: Buffer; headers: Record<string, string | number> } | undefined;

/** The body and headers, read once they exist (the bench writes them after the stream is live). */
function load(): typeof answer {
  if (answer || !existsSync(headersFile)) return answer;
  const body = readFileSync(bodyFile);
  const headers = JSON.parse(readFileSync(headersFile, 'utf8')) as Record<string, string>;
  return (answer = { body, headers: { ...headers, 'content-length': body.length } });
}

createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    const ready = load();
    if (!ready) return void res.writeHead(404, { 'content-length': 0 }).end();
    res.writeHead(200, ready.headers);
    res.end(ready.body);
  });
}).listen(port, '127.0.0.1');

// dist/bench/lib → dist/src/main.js (not through devtools: nothing else of the bench's in this process)
await import(new URL('../../src/main.js', import.meta.url).href);
