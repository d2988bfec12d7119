// What a handler knows about the caller: the account and region its resources live in, resolved by
// SigV4 verification (the region comes from the credential scope), and the request id for logs.

export interface Scope {
  account: string;
  region: string;
}

export interface RequestContext extends Scope {
  requestId: string;
  /** The access key id that signed the request (never the secret). */
  accessKeyId: string;
}
