// Public API of SigV4 authentication: the credential list and the request verifier.

export { CredentialStore } from './credentials.js';
export { SigV4Verifier, type SigV4VerifierOptions, type SignedRequest, type Caller } from './sigv4.js';
export { parseQuery, type Query } from './query.js';
