// The request and response types every HTTP handler takes: node:http's, or node:http2's compatibility API
// (the HTTPS listener speaks HTTP/2 and, for older clients, HTTP/1.1 over TLS). Handlers use only what
// both offer; the differences (no `host` header in HTTP/2, no connection-specific headers, no
// keep-alive control) are dealt with in http/dispatch.ts.
// A leaf beside the planes rather than inside src/http/: the dispatcher (src/http/) calls playback
// (src/media/deliver/), which writes to these same node objects, so both import the types from here and neither
// imports the other's folder back. Types only: the playback hot path keeps writing node's own response objects,
// with no adapter allocated per request.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;
