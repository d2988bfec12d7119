// The request and response types every handler takes: node:http's, or node:http2's compatibility API
// (the HTTPS listener speaks HTTP/2 and, for older clients, HTTP/1.1 over TLS). Handlers use only what
// both offer; the differences (no `host` header in HTTP/2, no connection-specific headers, no
// keep-alive control) are dealt with in dispatch.ts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;
