// Typed service errors. Handlers and domain rules throw these; the protocol layer turns them into
// rest-json error responses. The HTTP status comes from the model's error shape when it has one,
// otherwise from the fallback here (the auth errors are generic AWS errors, not in the IVS model).

export type ErrorCode =
  | 'ValidationException'
  | 'AccessDeniedException'
  | 'PendingVerification'
  | 'ResourceNotFoundException'
  | 'ChannelNotBroadcasting'
  | 'ConflictException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'InternalServerException'
  | 'StreamUnavailable'
  | 'ServiceUnavailable'
  // Generic AWS errors, used before an operation is known or for protocol faults.
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'SignatureDoesNotMatch'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'RequestEntityTooLargeException'
  // Refusals of the HTTP layer itself (header limits, malformed requests, slow clients).
  | 'RequestHeaderFieldsTooLargeException'
  | 'BadRequestException'
  | 'RequestTimeoutException'
  | 'MethodNotAllowedException'
  | 'ExpectationFailedException'
  | 'NotImplementedException';

export const FALLBACK_STATUS: Record<ErrorCode, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ResourceNotFoundException: 404,
  ChannelNotBroadcasting: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
  StreamUnavailable: 503,
  ServiceUnavailable: 503,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  SignatureDoesNotMatch: 403,
  UnknownOperationException: 404,
  SerializationException: 400,
  RequestEntityTooLargeException: 413,
  RequestHeaderFieldsTooLargeException: 431,
  BadRequestException: 400,
  RequestTimeoutException: 408,
  MethodNotAllowedException: 405,
  ExpectationFailedException: 417,
  NotImplementedException: 501,
};

export class ServiceError extends Error {
  readonly code: ErrorCode;
  /** Extra members of the error shape, e.g. `exceptionMessage` is added by the encoder. */
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.extra = extra;
  }
}

export const validation = (message: string) => new ServiceError('ValidationException', message);
export const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
export const conflict = (message: string) => new ServiceError('ConflictException', message);
export const quotaExceeded = (message: string) => new ServiceError('ServiceQuotaExceededException', message);
export const throttled = (message: string) => new ServiceError('ThrottlingException', message);
export const notBroadcasting = (channelArn: string) =>
  new ServiceError('ChannelNotBroadcasting', `Channel: ${channelArn} is not currently online`);
export const notImplemented = (operation: string, reason?: string) =>
  new ServiceError('NotImplementedException', `${operation} is not implemented by openivs yet${reason ? `: ${reason}` : ''}`);
