// The shape of openivs's configuration once loaded and validated (see index.ts for where each value
// comes from: defaults < config file < OPENIVS_* environment < command-line flags).

export interface CredentialConfig {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export interface QuotaConfig {
  /** Channels per account and region (IVS default 5,000; adjustable). */
  channels: number;
  /** Concurrent live streams per account and region (IVS default 100; adjustable). */
  concurrentBroadcasts: number;
  /** Concurrent viewers per account and region (IVS default 15,000; adjustable). */
  concurrentViewers: number;
  /** Recording configurations per account and region (IVS: 20). */
  recordingConfigurations: number;
  /** Playback key pairs per account and region (IVS: 3, not adjustable). */
  playbackKeyPairs: number;
  /** Playback restriction policies per account and region (IVS: 20). */
  playbackRestrictionPolicies: number;
}

/** Where recordings are written. Credentials come from the environment only and are never logged. */
export type RecordingStorageConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      /** undefined: AWS S3 (virtual-hosted); set: an S3-compatible endpoint addressed path-style. */
      endpoint: string | undefined;
      region: string;
      /** undefined: the default AWS credential chain. */
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    };

export interface Config {
  dataDir: string;
  /** Address the listeners bind to. */
  bindAddress: string;
  httpPort: number;
  rtmpPort: number;
  /** undefined: RTMPS listener off. */
  rtmpsPort: number | undefined;
  /** SRT ingest (UDP); undefined: off. */
  srtPort: number | undefined;
  /** undefined: HTTPS (HTTP/2 + HTTP/1.1) listener off. */
  httpsPort: number | undefined;
  /** Public host name used in ingestEndpoint and playbackUrl; an IPv6 address is kept in brackets, e.g. [::1]. */
  host: string;
  /** Base of playbackUrl, e.g. https://cdn.example.com; default http://<host>:<httpPort>. */
  playbackBaseUrl: string;
  /** Region used when a request's credential scope has none (never for signed API calls). */
  region: string;
  credentials: CredentialConfig[];
  /** True when the built-in test/test credentials are in the list. */
  defaultCredentialsActive: boolean;
  quotas: QuotaConfig;
  /** RTMPS certificate and key files; undefined: generate a self-signed pair in the data dir. */
  rtmpsCert: string | undefined;
  rtmpsKey: string | undefined;
  /** HTTPS certificate and key files; undefined: the same self-signed pair RTMPS uses. */
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  ffmpegPath: string;
  maxTranscodes: number;
  recordingStorage: RecordingStorageConfig;
  /** Accept plain RTMP for every channel (local development). */
  allowInsecureIngest: boolean;
  eventWebhooks: string[];
  eventWebhookSecret: string | undefined;
  /** false (--metrics off): no /metrics, no metric hooks on the request paths, no runtime sampling. */
  metrics: boolean;
  /** Bearer token for GET /metrics; undefined: loopback clients only. */
  metricsToken: string | undefined;
  /** undefined: no EventBridge sink. */
  eventbridge: { endpoint: string; bus: string; region: string } | undefined;
  /** Lower-case name of the request header with the viewer's country (set by a CDN); undefined: not checked. */
  viewerCountryHeader: string | undefined;
  /** Lower-case name of the request header with the viewer's address (set by an edge cache); undefined: the TCP peer. */
  viewerAddressHeader: string | undefined;
  /** postgres://… selects the PostgreSQL store; undefined: SQLite in dataDir. Holds a password: never log it. */
  databaseUrl: string | undefined;
  /** Internal URL other cluster nodes reach this node at; undefined: http://<host>:<httpPort>. */
  nodeUrl: string | undefined;
  /** Authenticates node-to-node requests; set whenever databaseUrl is a PostgreSQL URL. */
  clusterSecret: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Maximum API request body in bytes (1 MiB). */
  maxBodyBytes: number;
}
