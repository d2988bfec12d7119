// TLS certificate and key for RTMPS and HTTPS: the configured files, or for local use a self-signed
// certificate made once into <data-dir>/tls/ with the system's openssl (ECDSA P-256, valid ten years,
// SAN localhost, 127.0.0.1 and the configured host) and shared by both listeners. Encoders and players
// that verify certificates need a real one.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** True when openivs generated them. */
  selfSigned: boolean;
}

export interface TlsOptions {
  dataDir: string;
  host: string;
  cert?: string | undefined;
  key?: string | undefined;
  /** The flags that would supply real files, for the error when openssl fails. */
  flags?: string;
}

export function loadTlsCredentials(opts: TlsOptions): TlsFiles {
  if (opts.cert && opts.key) return { cert: readFileSync(opts.cert), key: readFileSync(opts.key), selfSigned: false };
  const dir = join(opts.dataDir, 'tls');
  // The file names predate HTTPS; kept so existing data dirs keep their certificate.
  const certPath = join(dir, 'rtmps-cert.pem');
  const keyPath = join(dir, 'rtmps-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) generate(dir, certPath, keyPath, opts.host, opts.flags);
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), selfSigned: true };
}

function generate(dir: string, certPath: string, keyPath: string, host: string, flags = '--rtmps-cert and --rtmps-key'): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bare = host.replace(/^\[|\]$/g, '');
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', isIP(bare) ? `IP:${bare}` : `DNS:${bare}`]);
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        `/CN=${bare}`,
        '-addext',
        `subjectAltName=${[...names].join(',')}`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    const detail = err instanceof Error && 'stderr' in err ? String((err as { stderr: unknown }).stderr).trim() : String(err);
    throw new Error(
      `could not generate a self-signed TLS certificate with openssl (${detail}); ` + `install openssl or pass ${flags}`,
      { cause: err },
    );
  }
}
