// The process logger (pino, JSON lines). Secrets never reach it: the redaction list covers the
// fields that could carry them if someone logs a request or a stream key by mistake.

import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'openivs' },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        '*.secretAccessKey',
        'secretAccessKey',
        'streamKey',
        '*.streamKey',
        'value',
        '*.token',
        'token',
      ],
      censor: '[redacted]',
    },
  });
}
