// Public surface of SRT ingest for app.ts: the ingest (listener + authorization of each caller) and the error that
// says the native addon is missing.

export { SrtUnavailableError } from './addon.js';
export { SrtIngest, type SrtIngestOptions } from './srt-ingest.js';
