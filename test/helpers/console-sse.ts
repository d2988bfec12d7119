// A Server-Sent Events reader for the console's event stream (/_openivs/events): plain node:http, so a test sees
// the status, the headers and every message as sent, and knows when the server ended the stream.

import { request } from 'node:http';
import { pollUntil } from './live.js';
import { queryString, type RawRequest } from './http.js';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Messages received so far (comments and `retry:` lines are not messages). */
  messages: SseMessage[];
  /** Raw text received so far. */
  text(): string;
  /** Resolves when the server ends the response (or the connection drops). */
  ended: Promise<void>;
  endedAt(): number | undefined;
  waitFor(what: string, match: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

/** Parses complete messages (blank-line terminated) out of `buffer`; returns what is left. */
function parse(buffer: string, out: SseMessage[]): string {
  let end: number;
  while ((end = buffer.indexOf('\n\n')) >= 0) {
    const block = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    const message: SseMessage = { data: '' };
    let isMessage = false;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') {
        data.push(value);
        isMessage = true;
      } else if (field === 'id') message.id = value;
      else if (field === 'event') message.event = value;
    }
    if (isMessage) {
      message.data = data.join('\n');
      out.push(message);
    }
  }
  return buffer;
}

/** Opens `req` (a presigned request from test/helpers/http.ts, or any GET) and resolves once the headers arrived. */
export function openSse(port: number, req: RawRequest, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port,
        method: 'GET',
        path: req.path + queryString(req.query),
        headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream', ...req.headers, ...headers },
        agent: false,
      },
      (res) => {
        const messages: SseMessage[] = [];
        let raw = '';
        let pending = '';
        let endedAt: number | undefined;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          raw += chunk;
          pending = parse(pending + chunk, messages);
        });
        const ended = new Promise<void>((done) => {
          const finish = () => {
            endedAt ??= Date.now();
            done();
          };
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          messages,
          text: () => raw,
          ended,
          endedAt: () => endedAt,
          waitFor: (what, match, timeoutMs = 20_000) =>
            pollUntil(what, () => messages.find(match), { timeoutMs, intervalMs: 50 }),
          close: () => r.destroy(),
        });
      },
    );
    r.on('error', reject);
    r.end();
  });
}
