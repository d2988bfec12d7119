// openivs configuration, the folder's entry point: one typed, validated Config from defaults < config file
// (--config / OPENIVS_CONFIG) < OPENIVS_* environment variables < command-line flags. The option table lives in options.ts.
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { Config, CredentialConfig, QuotaConfig, RecordingStorageConfig } from './types.js';
import { combineCredentials, hasDefaultCredentials } from './credentials.js';
import { QUOTA_DEFAULTS } from './options.js';
import { readArgv, readEnv, readFile, type Setting, type Settings } from './sources.js';
import { ConfigError, isLoopbackAddress, type LogLevel } from './values.js';

export type { Config, CredentialConfig, QuotaConfig } from './types.js';
export { ConfigError, isLoopbackAddress } from './values.js';
export { HelpRequested } from './sources.js';
export { HELP_TEXT } from './options.js';
export { DEFAULT_CREDENTIALS } from './credentials.js';

export const MAX_BODY_BYTES = 1048576;

/** The playbackBaseUrl used when none is configured. */
export function defaultPlaybackBaseUrl(host: string, httpPort: number): string {
  return `http://${host}:${httpPort}`;
}

/**
 * Loads the configuration. argv excludes node, the script and the subcommand. Throws HelpRequested for
 * -h/--help and ConfigError (one line, naming the option, never a secret) for anything invalid.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const flags = readArgv(argv, cwd);
  const fromEnv = readEnv(env, cwd);
  const configFile = flags.get('config') ?? fromEnv.get('config');
  const fromFile: Settings =
    configFile === undefined ? new Map<string, Setting>() : readFile(configFile.value as string, configFile.label);
  const merged: Settings = new Map([...fromFile, ...fromEnv, ...flags]);
  const get = <T>(name: string, fallback: T): T => (merged.has(name) ? (merged.get(name)?.value as T) : fallback);

  const host = get('host', 'localhost');
  const httpPort = get('httpPort', 8080);
  const explicit = merged.get('credentials');
  const defaultsSetting = merged.get('defaultCredentials');
  const credentials = combineCredentials(
    explicit === undefined ? undefined : { list: explicit.value as CredentialConfig[], label: explicit.label },
    defaultsSetting?.value as boolean | undefined,
    defaultsSetting?.label ?? 'OPENIVS_DEFAULT_CREDENTIALS',
  );
  const quotas = { ...QUOTA_DEFAULTS } as QuotaConfig;
  for (const key of Object.keys(quotas) as Array<keyof QuotaConfig>) quotas[key] = get(`quotas.${key}`, quotas[key]);

  requirePair(merged, 'rtmpsCert', 'rtmpsKey', '--rtmps-cert and --rtmps-key');
  requirePair(merged, 'tlsCert', 'tlsKey', '--tls-cert and --tls-key');
  return {
    dataDir: get('dataDir', resolve(cwd, 'data')),
    bindAddress: get('bindAddress', '0.0.0.0'),
    httpPort,
    rtmpPort: get('rtmpPort', 1935),
    rtmpsPort: get<number | null>('rtmpsPort', null) ?? undefined,
    srtPort: get<number | null>('srtPort', 9000) ?? undefined,
    httpsPort: get<number | null>('httpsPort', null) ?? undefined,
    host,
    playbackBaseUrl: get('playbackBaseUrl', defaultPlaybackBaseUrl(host, httpPort)),
    region: get('region', 'us-west-2'),
    credentials,
    defaultCredentialsActive: hasDefaultCredentials(credentials),
    quotas,
    databaseUrl: get<string | undefined>('databaseUrl', undefined),
    nodeUrl: get<string | undefined>('nodeUrl', undefined),
    clusterSecret: clusterSecret(merged, get),
    logLevel: get<LogLevel>('logLevel', 'info'),
    viewerCountryHeader: get<string | undefined>('viewerCountryHeader', undefined),
    viewerAddressHeader: get<string | undefined>('viewerAddressHeader', undefined),
    maxBodyBytes: MAX_BODY_BYTES,
    rtmpsCert: get<string | undefined>('rtmpsCert', undefined),
    rtmpsKey: get<string | undefined>('rtmpsKey', undefined),
    tlsCert: get<string | undefined>('tlsCert', undefined),
    tlsKey: get<string | undefined>('tlsKey', undefined),
    allowInsecureIngest: get('allowInsecureIngest', false),
    ffmpegPath: get('ffmpegPath', 'ffmpeg'),
    recordingStorage: recordingStorage(merged, get),
    maxTranscodes: get('maxTranscodes', Math.max(1, Math.floor(cpus().length / 0.8))),
    eventWebhooks: get<string[]>('eventWebhooks', []),
    eventWebhookSecret: get<string | undefined>('eventWebhookSecret', undefined),
    metrics: get('metrics', true),
    metricsToken: get<string | undefined>('metricsToken', undefined) ?? get<string | undefined>('metricsTokenFile', undefined),
    eventbridge: merged.has('eventbridgeEndpoint')
      ? {
          endpoint: get('eventbridgeEndpoint', ''),
          bus: get('eventbridgeBus', 'default'),
          region: get('eventbridgeRegion', get('region', 'us-west-2')),
        }
      : undefined,
  };
}

/** Nodes sharing a PostgreSQL database talk to each other: they need the cluster secret. */
function clusterSecret(merged: Settings, get: <T>(name: string, fallback: T) => T): string | undefined {
  const secret = get<string | undefined>('clusterSecret', undefined);
  const databaseUrl = get<string | undefined>('databaseUrl', undefined);
  if (secret === undefined && databaseUrl !== undefined && /^postgres(ql)?:/i.test(databaseUrl)) {
    throw new ConfigError(
      `${merged.get('databaseUrl')!.label}: a PostgreSQL database is shared by a cluster; set OPENIVS_CLUSTER_SECRET ` +
        '(the same on every node, at least 32 characters, e.g. openssl rand -hex 32)',
    );
  }
  return secret;
}

/** Local disk unless S3 is chosen or an endpoint is given; S3 keys come in pairs, from the environment only. */
function recordingStorage(merged: Settings, get: <T>(name: string, fallback: T) => T): RecordingStorageConfig {
  requirePair(merged, 's3AccessKeyId', 's3SecretAccessKey', 'OPENIVS_S3_ACCESS_KEY_ID and OPENIVS_S3_SECRET_ACCESS_KEY');
  const endpoint = get<string | undefined>('s3Endpoint', undefined);
  const kind = get<'local' | 's3'>('recordingStorage', endpoint === undefined ? 'local' : 's3');
  if (kind === 'local') {
    if (endpoint !== undefined)
      throw new ConfigError(`${merged.get('s3Endpoint')!.label}: S3 endpoint given with local recording storage`);
    return { kind };
  }
  const accessKeyId = get<string | undefined>('s3AccessKeyId', undefined);
  const secretAccessKey = get<string | undefined>('s3SecretAccessKey', undefined);
  return {
    kind,
    endpoint,
    region: get('s3Region', get('region', 'us-east-1')),
    credentials: accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined,
  };
}

/** A certificate and its key come together or not at all. */
function requirePair(merged: Settings, certName: string, keyName: string, flags: string): void {
  const cert = merged.get(certName);
  const key = merged.get(keyName);
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(`${(cert ?? key)!.label}: give both ${flags}, or neither`);
  }
}

/**
 * After listening on port 0: the config with the actual ports, and playbackBaseUrl recomputed when it was the
 * default (so playback URLs point at the real HTTP port).
 */
export function withListeningPorts(
  config: Config,
  ports: { httpPort?: number; rtmpPort?: number; rtmpsPort?: number; srtPort?: number; httpsPort?: number },
): Config {
  const httpPort = ports.httpPort ?? config.httpPort;
  const wasDefault = config.playbackBaseUrl === defaultPlaybackBaseUrl(config.host, config.httpPort);
  return {
    ...config,
    httpPort,
    rtmpPort: ports.rtmpPort ?? config.rtmpPort,
    rtmpsPort: ports.rtmpsPort ?? config.rtmpsPort,
    srtPort: ports.srtPort ?? config.srtPort,
    httpsPort: ports.httpsPort ?? config.httpsPort,
    playbackBaseUrl: wasDefault ? defaultPlaybackBaseUrl(config.host, httpPort) : config.playbackBaseUrl,
  };
}

/** The warning the caller should log for this config, if any (default credentials on a non-loopback address). */
export function securityWarning(config: Config): string | undefined {
  if (!config.defaultCredentialsActive || isLoopbackAddress(config.bindAddress)) return undefined;
  return (
    `default credentials test/test are active on non-loopback address ${config.bindAddress}; ` +
    'anyone who can reach this server can use the API. Set OPENIVS_CREDENTIALS.'
  );
}
