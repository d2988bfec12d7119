// The option table: every configurable setting with its flag, OPENIVS_* variable, config-file key, default and
// validator. The sources (sources.ts), the help text and the final assembly (index.ts) are all driven by it.
import { readFileSync } from 'node:fs';
import type { CredentialConfig } from './types.js';
import { parseCredentialArray, parseCredentialString } from './credentials.js';
import {
  parseClusterSecret,
  parseBaseUrl,
  parseBindAddress,
  parseBoolean,
  parseDir,
  parseFile,
  parseHeaderName,
  parseHost,
  parseLogLevel,
  parseOptionalPort,
  parsePort,
  parsePositiveInt,
  parseNonNegativeInt,
  parseRegion,
  parseText,
  parseUrlList,
  LOG_LEVELS,
  fail,
  shown,
} from './values.js';

export interface OptionSpec {
  /** Internal setting name. */
  name: string;
  /** Long flag without the leading "--"; undefined when there is none (secrets do not belong in argv). */
  flag?: string;
  env: string;
  /** Config-file key: a top-level key, or "quotas.<key>"; undefined for --config itself. */
  fileKey?: string;
  /** Placeholder for the value in the help text; '' for a flag that takes no value. */
  arg: string;
  defaultText: string;
  help: string;
  parse: (value: unknown, label: string, baseDir: string) => unknown;
  /** A flag that may be given several times; its values (arrays) accumulate. */
  repeatable?: boolean;
}

function parseChoice<T extends string>(value: unknown, label: string, choices: readonly T[]): T {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const found = choices.find((c) => c === text);
  if (found === undefined) fail(label, `expected one of ${choices.join(', ')}, got ${shown(value)}`);
  return found;
}

/** A bearer token: 16 to 512 visible ASCII characters (what an Authorization header carries unchanged). */
function parseToken(value: unknown, label: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[\x21-\x7e]{16,512}$/.test(text)) fail(label, 'expected 16 to 512 visible ASCII characters');
  return text;
}

/** A file holding a bearer token (keeps the token out of argv and the environment). */
function parseTokenFile(value: unknown, label: string, baseDir: string): string {
  const path = parseFile(value, label, baseDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(label, `cannot read ${path}: ${(err as Error).message}`);
  }
  return parseToken(text, `${label} (${path})`);
}

const credentials = (value: unknown, label: string): CredentialConfig[] =>
  typeof value === 'string' ? parseCredentialString(value, label) : parseCredentialArray(value, label);

function quota(key: string, flagName: string, envName: string, defaultValue: number, help: string): OptionSpec {
  return {
    name: `quotas.${key}`,
    flag: `quota-${flagName}`,
    env: `OPENIVS_QUOTA_${envName}`,
    fileKey: `quotas.${key}`,
    arg: 'N',
    defaultText: String(defaultValue),
    help,
    parse: parsePositiveInt,
  };
}

export const QUOTA_DEFAULTS = {
  channels: 5000,
  concurrentBroadcasts: 100,
  concurrentViewers: 15000,
  recordingConfigurations: 20,
  playbackKeyPairs: 3,
  playbackRestrictionPolicies: 20,
} as const;

// A table laid out by hand (an option per entry, its help beneath), so Prettier leaves it as it is.
// prettier-ignore
export const OPTIONS: readonly OptionSpec[] = [
  { name: 'config', flag: 'config', env: 'OPENIVS_CONFIG', arg: 'FILE', defaultText: 'none',
    help: 'JSON config file; its keys are shown in parentheses below. Relative paths in it resolve against its directory.',
    parse: (v, label, base) => parseDir(v, label, base) },
  { name: 'dataDir', flag: 'data-dir', env: 'OPENIVS_DATA_DIR', fileKey: 'dataDir', arg: 'DIR', defaultText: './data',
    help: 'Directory for the database, segments and recordings (made absolute).', parse: parseDir },
  { name: 'httpPort', flag: 'http-port', env: 'OPENIVS_HTTP_PORT', fileKey: 'httpPort', arg: 'PORT', defaultText: '8080',
    help: 'HTTP port for the API, playback, health and metrics (0 picks a free port).', parse: parsePort },
  { name: 'rtmpPort', flag: 'rtmp-port', env: 'OPENIVS_RTMP_PORT', fileKey: 'rtmpPort', arg: 'PORT', defaultText: '1935',
    help: 'RTMP ingest port (0 picks a free port).', parse: parsePort },
  { name: 'rtmpsPort', flag: 'rtmps-port', env: 'OPENIVS_RTMPS_PORT', fileKey: 'rtmpsPort', arg: 'PORT|off',
    defaultText: 'off', help: 'RTMPS ingest port; "off" (null in the file) disables it.', parse: parseOptionalPort },
  { name: 'srtPort', flag: 'srt-port', env: 'OPENIVS_SRT_PORT', fileKey: 'srtPort', arg: 'PORT|off',
    defaultText: '9000',
    help: 'SRT ingest port (UDP; IVS uses 9000); "off" (null in the file) disables it. Needs the native addon '
      + 'that scripts/install.sh builds.', parse: parseOptionalPort },
  { name: 'httpsPort', flag: 'https-port', env: 'OPENIVS_HTTPS_PORT', fileKey: 'httpsPort', arg: 'PORT|off',
    defaultText: 'off',
    help: 'HTTPS port (HTTP/2 with HTTP/1.1 fallback) serving the same API, playback, player and health as the HTTP '
      + 'port; "off" (null in the file) disables it. LL-HLS in Apple players needs HTTP/2: for HTTPS playback URLs '
      + 'set --playback-base-url https://<host>:<https-port>.',
    parse: parseOptionalPort },
  { name: 'bindAddress', flag: 'bind', env: 'OPENIVS_BIND', fileKey: 'bindAddress', arg: 'ADDR', defaultText: '0.0.0.0',
    help: 'Address all listeners bind to (127.0.0.1 keeps the server local).', parse: parseBindAddress },
  { name: 'host', flag: 'host', env: 'OPENIVS_HOST', fileKey: 'host', arg: 'HOST', defaultText: 'localhost',
    help: 'Public host name or IP used in ingestEndpoint and playbackUrl (no scheme, port or path).', parse: parseHost },
  { name: 'playbackBaseUrl', flag: 'playback-base-url', env: 'OPENIVS_PLAYBACK_BASE_URL', fileKey: 'playbackBaseUrl',
    arg: 'URL', defaultText: 'http://<host>:<http-port>',
    help: 'Base of playbackUrl, e.g. https://cdn.example.com (http or https, no query).', parse: parseBaseUrl },
  { name: 'region', flag: 'region', env: 'OPENIVS_REGION', fileKey: 'region', arg: 'REGION', defaultText: 'us-west-2',
    help: 'Region used where a request carries none.', parse: parseRegion },
  { name: 'credentials', env: 'OPENIVS_CREDENTIALS', fileKey: 'credentials', arg: 'LIST', defaultText: 'test:test:000000000000',
    help: 'API credentials, "accessKeyId:secretAccessKey:accountId" comma-separated (file: array of objects). '
      + 'No flag, so secrets stay out of the process list. Replaces the default test/test credentials.',
    parse: credentials },
  { name: 'defaultCredentials', flag: 'default-credentials', env: 'OPENIVS_DEFAULT_CREDENTIALS',
    fileKey: 'defaultCredentials', arg: '', defaultText: 'only when no credentials are given',
    help: 'Also accept the test/test credentials (account 000000000000) next to the configured ones.',
    parse: parseBoolean },
  quota('channels', 'channels', 'CHANNELS', QUOTA_DEFAULTS.channels, 'Channels per account and region.'),
  quota('concurrentBroadcasts', 'concurrent-broadcasts', 'CONCURRENT_BROADCASTS', QUOTA_DEFAULTS.concurrentBroadcasts,
    'Concurrent live streams per account and region.'),
  quota('concurrentViewers', 'concurrent-viewers', 'CONCURRENT_VIEWERS', QUOTA_DEFAULTS.concurrentViewers,
    'Concurrent viewers per account and region.'),
  quota('recordingConfigurations', 'recording-configurations', 'RECORDING_CONFIGURATIONS',
    QUOTA_DEFAULTS.recordingConfigurations, 'Recording configurations per account and region.'),
  quota('playbackRestrictionPolicies', 'playback-restriction-policies', 'PLAYBACK_RESTRICTION_POLICIES',
    QUOTA_DEFAULTS.playbackRestrictionPolicies, 'Playback restriction policies per account and region.'),
  { name: 'rtmpsCert', flag: 'rtmps-cert', env: 'OPENIVS_RTMPS_CERT', fileKey: 'rtmpsCert', arg: 'FILE',
    defaultText: 'a self-signed certificate generated into <data-dir>/tls/',
    help: 'PEM certificate chain for RTMPS (give --rtmps-key with it).', parse: parseFile },
  { name: 'rtmpsKey', flag: 'rtmps-key', env: 'OPENIVS_RTMPS_KEY', fileKey: 'rtmpsKey', arg: 'FILE',
    defaultText: 'generated with the certificate', help: 'PEM private key for RTMPS.', parse: parseFile },
  { name: 'tlsCert', flag: 'tls-cert', env: 'OPENIVS_TLS_CERT', fileKey: 'tlsCert', arg: 'FILE',
    defaultText: 'the self-signed certificate in <data-dir>/tls/ (shared with RTMPS)',
    help: 'PEM certificate chain for the HTTPS port (give --tls-key with it).', parse: parseFile },
  { name: 'tlsKey', flag: 'tls-key', env: 'OPENIVS_TLS_KEY', fileKey: 'tlsKey', arg: 'FILE',
    defaultText: 'generated with the certificate', help: 'PEM private key for the HTTPS port.', parse: parseFile },
  { name: 'allowInsecureIngest', flag: 'allow-insecure-ingest', env: 'OPENIVS_ALLOW_INSECURE_INGEST',
    fileKey: 'allowInsecureIngest', arg: '', defaultText: 'false',
    help: 'Accept plain RTMP for every channel, not only those with insecureIngest (local development).',
    parse: parseBoolean },
  { name: 'eventWebhooks', flag: 'event-webhook', env: 'OPENIVS_EVENT_WEBHOOKS', fileKey: 'eventWebhooks', arg: 'URL',
    defaultText: 'none', repeatable: true,
    help: 'Deliver IVS events (EventBridge format) by HTTP POST to this URL; repeat the flag or comma-separate for several.',
    parse: parseUrlList },
  { name: 'eventWebhookSecret', env: 'OPENIVS_EVENT_WEBHOOK_SECRET', fileKey: 'eventWebhookSecret', arg: 'SECRET',
    defaultText: 'none (unsigned)',
    help: 'HMAC-SHA256 key for the x-openivs-signature header of webhook deliveries (no flag: keep it out of argv).',
    parse: parseText },
  { name: 'eventbridgeEndpoint', flag: 'eventbridge-endpoint', env: 'OPENIVS_EVENTBRIDGE_ENDPOINT',
    fileKey: 'eventbridgeEndpoint', arg: 'URL', defaultText: 'off',
    help: 'Send events with EventBridge PutEvents to this endpoint (credentials from the default AWS chain).',
    parse: parseBaseUrl },
  { name: 'eventbridgeBus', flag: 'eventbridge-bus', env: 'OPENIVS_EVENTBRIDGE_BUS', fileKey: 'eventbridgeBus',
    arg: 'NAME', defaultText: 'default', help: 'Event bus for PutEvents.', parse: parseText },
  { name: 'eventbridgeRegion', flag: 'eventbridge-region', env: 'OPENIVS_EVENTBRIDGE_REGION',
    fileKey: 'eventbridgeRegion', arg: 'REGION', defaultText: 'the --region value', help: 'Region of the event bus.',
    parse: parseRegion },
  { name: 'recordingStorage', flag: 'recording-storage', env: 'OPENIVS_RECORDING_STORAGE', fileKey: 'recordingStorage',
    arg: 'local|s3', defaultText: 's3 when --s3-endpoint is set, else local',
    help: 'Where recordings go: "local" writes <data-dir>/recordings/<bucketName>/<key>; "s3" writes to S3 '
      + '(AWS, or the S3-compatible --s3-endpoint).',
    parse: (v, label) => parseChoice(v, label, ['local', 's3']) },
  { name: 's3Endpoint', flag: 's3-endpoint', env: 'OPENIVS_S3_ENDPOINT', fileKey: 's3Endpoint', arg: 'URL',
    defaultText: 'AWS S3', help: 'S3-compatible endpoint for recordings (MinIO, R2, ...), addressed path-style.',
    parse: parseBaseUrl },
  { name: 's3Region', flag: 's3-region', env: 'OPENIVS_S3_REGION', fileKey: 's3Region', arg: 'REGION',
    defaultText: 'the --region value if set, else us-east-1', help: 'Region used to sign S3 requests.', parse: parseRegion },
  { name: 's3AccessKeyId', env: 'OPENIVS_S3_ACCESS_KEY_ID', arg: 'ID', defaultText: 'the default AWS credential chain',
    help: 'Access key for S3 (give OPENIVS_S3_SECRET_ACCESS_KEY with it). Environment only: no flag, no file key.',
    parse: parseText },
  { name: 's3SecretAccessKey', env: 'OPENIVS_S3_SECRET_ACCESS_KEY', arg: 'SECRET', defaultText: 'none',
    help: 'Secret key for S3. Environment only, never logged.', parse: parseText },
  { name: 'ffmpegPath', flag: 'ffmpeg-path', env: 'OPENIVS_FFMPEG_PATH', fileKey: 'ffmpegPath', arg: 'PATH',
    defaultText: 'ffmpeg (from PATH)', help: 'ffmpeg used to transcode STANDARD channels and to capture recording thumbnails.', parse: parseText },
  { name: 'maxTranscodes', flag: 'max-transcodes', env: 'OPENIVS_MAX_TRANSCODES', fileKey: 'maxTranscodes', arg: 'N',
    defaultText: 'CPU cores / 0.8, at least 1 (a 1080p30 ladder takes about 0.8 core)',
    help: 'STANDARD streams transcoded at once; further ones are refused ("Transcode capacity exceeded"), or in a '
      + 'cluster transcoded on a node with a free slot. 0: this node never transcodes (a cluster node that only relays).',
    parse: parseNonNegativeInt },
  { name: 'viewerCountryHeader', flag: 'viewer-country-header', env: 'OPENIVS_VIEWER_COUNTRY_HEADER',
    fileKey: 'viewerCountryHeader', arg: 'NAME', defaultText: 'none (allowedCountries of playback restriction policies not checked)',
    help: 'Request header carrying the viewer\'s ISO country code, set by a CDN or proxy in front (e.g. '
      + 'CloudFront-Viewer-Country); playback restriction policies with allowedCountries then refuse requests whose '
      + 'value is missing or not listed. Only trustworthy if viewers cannot reach openivs around that proxy.',
    parse: parseHeaderName },
  { name: 'viewerAddressHeader', flag: 'viewer-address-header', env: 'OPENIVS_VIEWER_ADDRESS_HEADER',
    fileKey: 'viewerAddressHeader', arg: 'NAME', defaultText: 'none (the TCP peer is the viewer)',
    help: 'Request header carrying the viewer\'s IP address, set (overwritten, not appended to) by the cache or '
      + 'proxy in front (the shipped edge sets X-Viewer-Address): viewer counting bounds sessions per viewer address, '
      + 'and behind an edge every TCP peer is the edge. Only trustworthy if viewers cannot reach openivs around it.',
    parse: parseHeaderName },
  { name: 'databaseUrl', flag: 'database-url', env: 'OPENIVS_DATABASE_URL', fileKey: 'databaseUrl', arg: 'URL',
    defaultText: 'SQLite in <data-dir>/openivs.sqlite',
    help: 'postgres://USER:PASSWORD@HOST:PORT/DATABASE keeps all state in PostgreSQL, shared by the nodes of a cluster '
      + '(README: PostgreSQL). Prefer the variable: a flag shows the password in the process list.',
    parse: parseText },
  { name: 'nodeUrl', flag: 'node-url', env: 'OPENIVS_NODE_URL', fileKey: 'nodeUrl', arg: 'URL',
    defaultText: 'http://<host>:<http-port>', help: 'Internal URL the other nodes of a cluster reach this node at.',
    parse: parseBaseUrl },
  { name: 'clusterSecret', env: 'OPENIVS_CLUSTER_SECRET', fileKey: 'clusterSecret', arg: 'SECRET',
    defaultText: 'none (required with a PostgreSQL --database-url)',
    help: 'Shared by the nodes of a cluster: authenticates node-to-node requests (HMAC-SHA256 with a timestamp), at least '
      + '32 characters, e.g. openssl rand -hex 32 (no flag: keep it out of argv).',
    parse: parseClusterSecret },
  { name: 'metrics', flag: 'metrics', env: 'OPENIVS_METRICS', fileKey: 'metrics', arg: 'on|off', defaultText: 'on',
    help: '"off" (false in the file) collects no metrics at all: no GET /metrics, no counters on the request paths, no '
      + 'process or event-loop sampling.',
    parse: (v, label) => (typeof v === 'boolean' ? v : parseChoice(v, label, ['on', 'off']) === 'on') },
  { name: 'metricsToken', env: 'OPENIVS_METRICS_TOKEN', fileKey: 'metricsToken', arg: 'TOKEN',
    defaultText: 'none (GET /metrics from loopback only)',
    help: 'Bearer token that GET /metrics requires from every client (loopback included) once set; without it only '
      + 'loopback clients may scrape. No flag: use --metrics-token-file to keep it out of argv.',
    parse: parseToken },
  { name: 'metricsTokenFile', flag: 'metrics-token-file', env: 'OPENIVS_METRICS_TOKEN_FILE', fileKey: 'metricsTokenFile',
    arg: 'FILE', defaultText: 'none', help: 'A file holding the metrics bearer token (as metricsToken).', parse: parseTokenFile },
  { name: 'logLevel', flag: 'log-level', env: 'OPENIVS_LOG_LEVEL', fileKey: 'logLevel', arg: 'LEVEL', defaultText: 'info',
    help: `One of ${LOG_LEVELS.join(', ')}.`, parse: parseLogLevel },
];

/** Settings that exist but cannot be changed, with the reason given when someone tries. */
export const FIXED_FILE_KEYS: Readonly<Record<string, string>> = {
  'quotas.playbackKeyPairs': `fixed at ${QUOTA_DEFAULTS.playbackKeyPairs} as in IVS, not configurable`,
  maxBodyBytes: 'fixed at 1048576, not configurable',
};

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

function optionHelp(o: OptionSpec): string {
  const head = o.flag === undefined ? `${o.env}=${o.arg}` : `--${o.flag}${o.arg === '' ? '' : ` ${o.arg}`}`;
  const where = [o.flag === undefined ? undefined : o.env, o.fileKey].filter((s) => s !== undefined).join(', ');
  const sep = head.length + where.length > 70 ? '\n      ' : '   ';
  return `  ${head}${where === '' ? '' : `${sep}(${where})`}\n${wrap(`${o.help} Default: ${o.defaultText}.`, 76, '      ')}`;
}

export const HELP_TEXT = [
  'Usage: openivs start [options]',
  '',
  'Runs the openivs server: the Amazon IVS API, RTMP(S) ingest and HLS playback.',
  'Every option can also be set with an environment variable or a config-file key (in parentheses).',
  'Precedence: defaults < config file < OPENIVS_* environment variables < command-line flags.',
  '',
  'Options:',
  '  -h, --help',
  '      Print this help and exit.',
  ...OPTIONS.map(optionHelp),
  '',
  'Warning: the default test/test credentials are meant for local use; openivs warns when they are active',
  'on a non-loopback bind address. Set OPENIVS_CREDENTIALS for anything reachable from other machines.',
  '',
].join('\n');
