// The API request pipeline: authenticate → route → decode (deserialize + validate) → invoke →
// serialize, one small step each. It knows nothing of node:http (src/http adapts it), so it can be
// driven directly in tests and benchmarks.

import type { Logger } from 'pino';
import { ServiceError, notImplemented } from '../domain/errors.js';
import { newRequestId } from '../domain/ids.js';
import type { RequestContext } from '../domain/context.js';
import type { HttpResponse, Operation, ProtocolEngine } from './protocol/index.js';
import type { SigV4Verifier } from './auth/index.js';
import { lookupOperation } from './handlers/index.js';
import type { HandlerDeps } from './handlers/support.js';

export interface ApiRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type ApiResponse = HttpResponse;

export class ApiPipeline {
  constructor(
    private readonly protocol: ProtocolEngine,
    private readonly verifier: SigV4Verifier,
    private readonly deps: HandlerDeps,
    private readonly log: Logger,
    /** Told of every request once answered (metrics); `operation` is '-' when none matched. */
    private readonly observe?: (operation: string, status: number, startedAt: number) => void,
  ) {}

  /**
   * The response, as a value when the handler answered at once (a read from memory: no promise or microtask turn
   * for the whole call), else as a promise. Every error the call raises becomes the API's JSON error.
   */
  handle(req: ApiRequest): ApiResponse | Promise<ApiResponse> {
    const startedAt = this.observe ? performance.now() : 0;
    const requestId = newRequestId();
    let operationName = '-';
    try {
      const caller = this.verifier.authenticate(req);
      const match = this.protocol.route(req.method, req.rawPath);
      if (!match)
        throw new ServiceError('UnknownOperationException', `No operation matches ${req.method} ${truncate(req.rawPath)}`);
      const operation = match.operation;
      operationName = operation.name;
      const entry = lookupOperation(operationName);
      if (typeof entry !== 'function') throw notImplemented(operationName, entry?.notImplemented);
      const input = this.protocol.decode(operation, {
        labels: match.labels,
        query: req.rawQuery === '' ? EMPTY_QUERY : new URLSearchParams(req.rawQuery),
        headers: req.headers,
        body: req.body,
      });
      const ctx: RequestContext = {
        accessKeyId: caller.accessKeyId,
        account: caller.account,
        region: caller.region,
        requestId,
      };
      const answer = entry(this.deps, input, ctx);
      if (!(answer instanceof Promise)) return this.answered(operation, answer, requestId, startedAt);
      return (answer as Promise<unknown>).then(
        (output) => this.answered(operation, output, requestId, startedAt),
        (err: unknown) => this.failed(err, operationName, requestId, startedAt),
      );
    } catch (err) {
      return this.failed(err, operationName, requestId, startedAt);
    }
  }

  private answered(operation: Operation, output: unknown, requestId: string, startedAt: number): ApiResponse {
    let response: ApiResponse;
    try {
      response = this.protocol.serialize(operation, output ?? {});
    } catch (err) {
      return this.failed(err, operation.name, requestId, startedAt);
    }
    response.headers['x-amzn-RequestId'] = requestId;
    this.observe?.(operation.name, response.status, startedAt);
    return response;
  }

  private failed(err: unknown, operationName: string, requestId: string, startedAt: number): ApiResponse {
    this.report(err, operationName, requestId);
    const response = this.protocol.encodeError(err, requestId);
    this.observe?.(operationName, response.status, startedAt);
    return response;
  }

  private report(err: unknown, operation: string, requestId: string): void {
    if (err instanceof ServiceError) {
      this.log.debug({ requestId, operation, code: err.code }, err.message);
    } else {
      this.log.error({ requestId, operation, err }, 'unexpected error while handling an API request');
    }
  }
}

/** Shared by every request without a query string: deserialize only reads it. */
const EMPTY_QUERY = new URLSearchParams();

const truncate = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);
