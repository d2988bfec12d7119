// rest-json error responses. A ServiceError becomes its model error shape (status from the model,
// falling back to FALLBACK_STATUS for the generic AWS errors the IVS model does not list); anything
// else is a bug and becomes a bare 500 whose text never reveals internals.
import { FALLBACK_STATUS, ServiceError } from '../../domain/errors.js';
import type { ServiceModel } from './model.js';
import type { HttpResponse } from './serialize.js';

export const INTERNAL_ERROR_MESSAGE = 'An internal error occurred. Please retry your request.';

export function encodeError(model: ServiceModel, err: unknown, requestId: string): HttpResponse {
  const known = err instanceof ServiceError;
  const code = known ? err.code : 'InternalServerException';
  const message = known ? err.message : INTERNAL_ERROR_MESSAGE;
  const status = model.errorStatus(code) ?? (FALLBACK_STATUS as Record<string, number | undefined>)[code] ?? 500;
  // SDKs read the code from x-amzn-ErrorType; some read `message`, the IVS model names `exceptionMessage`.
  const body = { exceptionMessage: message, message, ...(known ? err.extra : {}) };
  return {
    status,
    headers: {
      'x-amzn-ErrorType': code,
      'x-amzn-RequestId': requestId,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  };
}
