// Composition root: the only place that constructs infrastructure (store, protocol engine, SigV4
// verifier, event outbox and dispatcher, live registry, RTMP(S) and SRT ingest, HTTP(S) servers) and wires it
// together. Tests and benchmarks call buildApp with overrides to swap any piece.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/types.js';
import { defaultPlaybackBaseUrl } from './config/index.js';
import { createLogger, type Logger } from './logging.js';
import { openStore } from './storage/index.js';
import type { LeaseRef, Store } from './storage/store.js';
import { ProtocolEngine } from './api/protocol/index.js';
import { CredentialStore, SigV4Verifier } from './api/auth/index.js';
import { ApiPipeline } from './api/pipeline.js';
import type { HandlerDeps } from './api/handlers/support.js';
import { PaginationCodec } from './domain/pagination.js';
import type { PublicEndpoints } from './domain/urls.js';
import { createEvents, type Events, type SinkConfig } from './events/index.js';
import { createIngestServer, type IngestServer } from './media/ingest/index.js';
import { LiveRegistry } from './media/registry/registry.js';
import { PublishAuthorizer } from './media/publish-authorization/publish-authorizer.js';
import { SrtKeySync } from './media/publish-authorization/srt-keys.js';
import { SrtIngest, SrtUnavailableError } from './media/ingest/srt/index.js';
import { SessionLog } from './media/stream-sessions/session-log.js';
import { storeStreamSessions } from './media/stream-sessions/session-reader.js';
import { closeOrphanedSessions } from './media/stream-sessions/recovery.js';
import { createHttpServer } from './http/server.js';
import { LoopMonitor } from './http/loop-monitor.js';
import { closeSecureServer, createHttpsServer } from './http/secure-server.js';
import { detectFfmpeg } from './media/transcode/index.js';
import { TranscodeService } from './media/registry/transcoding.js';
import { Recorder } from './media/record/recorder.js';
import { captureThumbnail } from './media/record/thumbnail-capture.js';
import { CommandRunner } from './media/record/command-runner.js';
import { DEFAULT_PART_TARGET_MS } from './media/package/parts.js';
import { closeServer, listen } from './http/listen.js';
import { PlaybackAuthorizer } from './media/deliver/auth/authorizer.js';
import { storePlaybackKeys } from './media/deliver/auth/playback-keys.js';
import { ViewerSessions, viewerSessionKey } from './media/deliver/auth/viewer-session.js';
import { loadTlsCredentials } from './tls-credentials.js';
import { createRecordingDestination } from './media/record/destinations.js';
import { RecordingActivation } from './api/recording-activation.js';
import { backfillSrtPassphrases } from './api/handlers/stream-key-rows.js';
import { loadNodeId } from './cluster/node-id.js';
import { NodeRegistry } from './cluster/node-registry.js';
import type { ClusterEndpointDeps } from './cluster/endpoint.js';
import { CLUSTER_AUTH_HEADER, ReplayGuard, verifyClusterRequest } from './cluster/auth.js';
import { ChannelOwnership } from './cluster/channel-ownership.js';
import { ClusterLiveControl } from './cluster/cluster-live.js';
import { FailoverSweeper } from './cluster/failover.js';
import type { LiveFilter, LocalNode, NodeApiDeps } from './cluster/node-api.js';
import { OwnerDirectory } from './cluster/owner-directory.js';
import { PeerClient } from './cluster/peer-client.js';
import { TranscodeHost } from './cluster/transcode-host.js';
import { TranscodePlacement } from './cluster/transcode-placement.js';
import { TranscodeReservations, type TranscodeSlots } from './cluster/transcode-reservations.js';
import { spawnFfmpeg } from './media/transcode/ffmpeg-process.js';
import { parseRelaySpec, relayArgs } from './media/transcode/relay-spec.js';
import { OriginPull, PEER_AUTHORIZED_HEADER } from './media/deliver/origin-pull.js';
import type { HttpRequest } from './http-types.js';
import { viewerAddress } from './media/deliver/playback.js';
import type { LiveStreamView } from './domain/ports.js';
import type { Scope } from './domain/context.js';
import { RefreshingCache } from './media/deliver/auth/refreshing-cache.js';
import { accessToWire } from './media/deliver/stream-access.js';
import { createConsoleApi } from './console-api/index.js';
import { liveMetricsReader } from './media/registry/stream-meter.js';
import { Metrics } from './metrics/index.js';

export interface AppOverrides {
  store?: Store;
  log?: Logger;
  /** false: no /metrics and no metric hooks on the request paths, whatever config.metrics says. */
  metrics?: false;
}

export interface BoundPorts {
  httpPort: number;
  rtmpPort: number;
  rtmpsPort?: number;
  /** The SRT port (UDP) when SRT ingest runs. */
  srtPort?: number;
  httpsPort?: number;
}

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  registry: LiveRegistry;
  events: Events;
  httpServer: Server;
  ingest: IngestServer;
  /** The Prometheus registry and route; undefined with --metrics off. */
  metrics: Metrics | undefined;
  /** Starts listening; resolves with the bound ports (useful with port 0). */
  start(): Promise<BoundPorts>;
  /** Ends live streams, stops accepting, drains in-flight requests and events, closes the store. */
  stop(): Promise<void>;
}

async function paginationSecret(store: Store): Promise<Buffer> {
  const stored = await store.settings.putIfAbsent('pagination-token-secret', randomBytes(32).toString('base64'));
  return Buffer.from(stored, 'base64');
}

/**
 * Signs private-channel playback-session credentials and (through a derived key) viewer session ids; persisted so
 * both survive a restart of the process.
 */
async function playbackSessionSecret(store: Store): Promise<Buffer> {
  const stored = await store.settings.putIfAbsent('playback-session-secret', randomBytes(32).toString('base64'));
  return Buffer.from(stored, 'base64');
}

function sinkConfigs(config: Config): SinkConfig[] {
  const sinks: SinkConfig[] = config.eventWebhooks.map((url) => ({ kind: 'webhook', url, secret: config.eventWebhookSecret }));
  if (config.eventbridge) {
    const { endpoint, bus, region } = config.eventbridge;
    sinks.push({ kind: 'eventbridge', endpoint, region, eventBusName: bus });
  }
  return sinks;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel);
  // Probing ffmpeg spawns two children: it runs while the store opens instead of after it.
  const ffmpegCheck = detectFfmpeg(config.ffmpegPath);
  const store = overrides.store ?? (await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, log }));
  const endpoints: PublicEndpoints = { host: config.host, playbackBaseUrl: config.playbackBaseUrl };
  const events = createEvents({ store, sinks: sinkConfigs(config), log });
  // Every event also goes to the log, so a local user sees the lifecycle without configuring a sink.
  events.live.subscribe((event) => {
    const detail = event.detail as Record<string, unknown>;
    log.info({ detailType: event['detail-type'], detail, resources: event.resources }, 'event');
  });
  const packaging = { targetSegmentMs: 2_000, windowSegments: 6, partTargetMs: DEFAULT_PART_TARGET_MS };
  const ffmpeg = await ffmpegCheck;
  if (!ffmpeg.ok) {
    log.warn({ reason: ffmpeg.reason }, 'ffmpeg is not usable: STANDARD channels will play their source rendition only');
  }
  const transcoding = new TranscodeService({
    available: ffmpeg.ok,
    ffmpegPath: config.ffmpegPath,
    maxConcurrent: config.maxTranscodes,
    packaging,
    log,
  });
  const sessionLog = new SessionLog(store, events.outbox);
  const registry = new LiveRegistry(sessionLog, log, transcoding);
  const nodeId = loadNodeId(config.dataDir);
  /** A node silent this long is dead; its channel leases live as long and are renewed by every heartbeat. */
  const deadAfterMs = 8_000;
  // Nodes sharing a database: one broadcast per channel cluster-wide, through channel leases.
  const ownership = store.shared
    ? new ChannelOwnership({ store, nodeId, ttlMs: deadAfterMs, log, onLost: (arn) => registry.abandon(arn) })
    : undefined;
  registry.claims = ownership;
  const authorizer = new PublishAuthorizer({
    store,
    registry,
    sessions: sessionLog,
    outbox: events.outbox,
    endpoints,
    quotas: config.quotas,
    allowInsecureIngest: config.allowInsecureIngest,
    packaging,
    log,
    claims: ownership,
  });
  const ingestHooks = { authorize: authorizer.authorize, refusedKey: authorizer.refusedKey, log };
  const ingest = createIngestServer({ hooks: ingestHooks });
  // The SRT listener decides callers from a key table in native memory; this keeps it in step with the store.
  const srtKeys = new SrtKeySync(store, log);
  let srt: SrtIngest | undefined;
  const recordingDestination = createRecordingDestination(config.recordingStorage, config.dataDir, log);
  // api/ reaches the destination only through the RecordingBuckets port.
  const recordingActivation = new RecordingActivation(store, { probe: (bucket) => recordingDestination.probe(bucket) }, log);
  // Thumbnail ffmpeg runs are spawned by a small helper process: a fork from this process costs more the more it holds.
  const commands = new CommandRunner();
  const recorder = new Recorder({
    destination: recordingDestination,
    spoolRoot: join(config.dataDir, 'record-spool'),
    sessions: sessionLog,
    log,
    capture: ffmpeg.ok
      ? (inputPath, height) =>
          captureThumbnail({ ffmpegPath: config.ffmpegPath, inputPath, offsetSeconds: 0, height }, commands.run)
      : undefined,
  });
  registry.recorder = recorder;
  const metrics =
    overrides.metrics === false || !config.metrics
      ? undefined
      : new Metrics({
          live: registry,
          token: config.metricsToken,
          transcoding,
          recorder,
          spoolRoot: join(config.dataDir, 'record-spool'),
          events: { outboxDepth: () => store.outbox.pendingCount(), failures: events.dispatcher.failures },
        });
  if (metrics) {
    registry.observer = {
      streamFlowing(stream) {
        for (const segmenter of stream.renditions.values()) {
          metrics.watchRendition({
            onPart: (listener) => segmenter.on('part', listener),
            onSegment: (listener) => segmenter.on('segment', listener),
          });
        }
        stream.transcoder?.on('restarting', metrics.transcoderRestarted);
      },
    };
  }
  const deps: HandlerDeps = {
    store,
    live: registry,
    sessions: storeStreamSessions(store),
    pages: new PaginationCodec(await paginationSecret(store)),
    endpoints,
    quotas: config.quotas,
    now: () => new Date(),
    recordingActivation,
    ingestKeys: srtKeys,
  };
  const protocol = ProtocolEngine.load();
  const verifier = new SigV4Verifier(new CredentialStore(config.credentials), { service: 'ivs', clockSkewMs: 300_000 });
  const api = new ApiPipeline(protocol, verifier, deps, log, metrics?.requests.api);
  let ready = false;
  const sessionSecret = await playbackSessionSecret(store);
  const nodes = new NodeRegistry({
    store,
    nodeId,
    url: config.nodeUrl ?? defaultPlaybackBaseUrl(config.host, config.httpPort),
    log,
    stats: () => ({ liveStreams: registry.liveTotal, freeTranscodeSlots: transcoding.freeSlots }),
    deadAfterMs,
    heldLeases: () => ownership?.held() ?? [],
    onLeasesLost: (lost) => ownership?.lost(lost),
  });
  const viewerSessions = new ViewerSessions(viewerSessionKey(sessionSecret));
  const cluster = store.shared
    ? clusterParts(config, store, nodes, registry, transcoding, viewerSessions, events, log)
    : undefined;
  if (cluster) deps.live = cluster.live;
  const consoleApi = await createConsoleApi({
    protocol,
    verifier,
    store,
    live: liveMetricsReader(registry),
    events: events.live,
    log,
    recordingStorage: config.recordingStorage,
    dataDir: config.dataDir,
    playbackBaseUrl: () => endpoints.playbackBaseUrl,
    facts: { allowInsecureIngest: config.allowInsecureIngest, defaultRegion: config.region },
  });
  const httpDeps = {
    cluster: {
      nodeId: nodes.nodeId,
      list: () => nodes.list(),
      verifySigned: (req) => verifier.verify(req),
    } satisfies ClusterEndpointDeps,
    nodeApi: cluster?.nodeApi,
    api,
    protocol,
    maxBodyBytes: config.maxBodyBytes,
    isReady: () => ready,
    log,
    loop: new LoopMonitor(),
    routes: metrics ? [consoleApi, metrics] : [consoleApi],
    playback: {
      registry,
      quotas: config.quotas,
      viewerCountryHeader: config.viewerCountryHeader,
      clientAddress: viewerAddress(config.viewerAddressHeader),
      viewerSessions,
      remote: cluster?.pull,
      peerAuthorized: cluster?.peerAuthorized,
      viewersElsewhere: cluster?.viewersElsewhere,
      counterOf: metrics?.requests.playbackCounter,
      auth: new PlaybackAuthorizer({
        keys: storePlaybackKeys(store),
        secret: sessionSecret,
        revocations: { revokedUpTo: (channelArn, viewerId) => store.viewerRevocations.find(channelArn, viewerId) },
      }),
    },
  };
  const httpServer = createHttpServer(httpDeps);
  let httpsServer: Http2SecureServer | undefined;

  /** SRT ingest on config.srtPort; without the native addon the server runs on, without SRT, and says why. */
  async function startSrt(): Promise<number | undefined> {
    if (config.srtPort === undefined) return undefined;
    try {
      srt = new SrtIngest({ host: config.bindAddress, port: config.srtPort }, ingestHooks);
    } catch (err) {
      if (!(err instanceof SrtUnavailableError)) throw err;
      log.warn({ reason: err.message }, 'SRT ingest is off: its native addon is not available');
      return undefined;
    }
    await srtKeys.attach(srt.listener);
    return srt.port;
  }

  return {
    config,
    log,
    store,
    registry,
    events,
    httpServer,
    ingest,
    metrics,
    async start() {
      // Open sessions are a crash's leftovers. Alone on its database, every open session is; in a
      // cluster only those of this node's previous run (its channel leases still live; expired ones
      // are ended by whichever node sweeps them, see cluster/failover.ts).
      if (cluster) await cluster.endPreviousRun();
      else await closeOrphanedSessions(store, events.outbox, log);
      await recorder.resume(); // uploads continue in the background
      await events.dispatcher.start();
      registry.start();
      const backfilled = await backfillSrtPassphrases(store);
      if (backfilled > 0) log.info({ keys: backfilled }, 'gave SRT passphrases to the stream keys of secure channels');
      const resumed = await recordingActivation.resume();
      if (resumed > 0) log.info({ resumed }, 'probing buckets of recording configurations left CREATING');
      await listen(httpServer, config.httpPort, config.bindAddress);
      const httpPort = (httpServer.address() as AddressInfo).port;
      // With --http-port 0 the default playback base URL can only be known once bound.
      if (config.playbackBaseUrl === defaultPlaybackBaseUrl(config.host, config.httpPort)) {
        endpoints.playbackBaseUrl = defaultPlaybackBaseUrl(config.host, httpPort);
      }
      const rtmp = await ingest.listen(config.rtmpPort, config.bindAddress);
      let rtmpsPort: number | undefined;
      if (config.rtmpsPort !== undefined) {
        const tls = loadTlsCredentials({
          dataDir: config.dataDir,
          host: config.host,
          cert: config.rtmpsCert,
          key: config.rtmpsKey,
        });
        if (tls.selfSigned) log.info('RTMPS uses a self-signed certificate from the data directory');
        rtmpsPort = (await ingest.listenTls(config.rtmpsPort, config.bindAddress, tls)).port;
      }
      const srtPort = await startSrt();
      let httpsPort: number | undefined;
      if (config.httpsPort !== undefined) {
        const tls = loadTlsCredentials({
          dataDir: config.dataDir,
          host: config.host,
          cert: config.tlsCert,
          key: config.tlsKey,
          flags: '--tls-cert and --tls-key',
        });
        if (tls.selfSigned) log.info('HTTPS uses a self-signed certificate from the data directory');
        httpsServer = createHttpsServer(httpDeps, tls);
        await listen(httpsServer, config.httpsPort, config.bindAddress);
        httpsPort = (httpsServer.address() as AddressInfo).port;
      }
      if (config.nodeUrl === undefined) nodes.url = defaultPlaybackBaseUrl(config.host, httpPort);
      await nodes.start();
      cluster?.start();
      consoleApi.setFacts({ rtmpPort: rtmp.port, rtmpsPort });
      ready = true;
      return { httpPort, rtmpPort: rtmp.port, rtmpsPort, srtPort, httpsPort };
    },
    async stop() {
      ready = false;
      consoleApi.close();
      await registry.stopAll();
      // Relays this node runs for peers are upgraded sockets the HTTP server no longer tracks: its close would wait
      // for them. Their peers see an ffmpeg exit and move the transcode to another node.
      cluster?.stopRelays();
      await recorder.stop();
      commands.close();
      srtKeys.stop();
      await Promise.all([
        closeServer(httpServer),
        httpsServer ? closeSecureServer(httpsServer) : undefined,
        ingest.close(),
        srt?.close(),
      ]);
      await recordingActivation.stop();
      await events.dispatcher.stop();
      await cluster?.stop();
      await nodes.stop();
      await store.close();
      httpDeps.loop.stop();
      metrics?.close();
    },
  };
}

/**
 * The parts a node needs when it shares its database with other nodes: the API's live view over every node,
 * origin pulls for playback, the node-to-node endpoints, and the failover sweep.
 */
function clusterParts(
  config: Config,
  store: Store,
  nodes: NodeRegistry,
  registry: LiveRegistry,
  transcoding: TranscodeService,
  viewerSessions: ViewerSessions,
  events: Events,
  log: Logger,
) {
  const secret = config.clusterSecret;
  if (secret === undefined) throw new Error('OPENIVS_CLUSTER_SECRET is required when nodes share a PostgreSQL database');
  const { nodeId } = nodes;
  const peers = new PeerClient(secret);
  const aliveNodes = () => nodes.aliveNodes();
  const directory = new OwnerDirectory({ store, nodeId, aliveNodes, log });
  const pull = new OriginPull({
    ownerUrl: (playbackKey) => directory.ownerUrl(playbackKey),
    // Blocking reloads wait up to three target durations at the owner.
    fetch: (baseUrl, path, headers) => peers.request(baseUrl, path, { headers, timeoutMs: 15_000 }),
    viewerSessions,
    viewerCountryHeader: config.viewerCountryHeader,
    clientAddress: viewerAddress(config.viewerAddressHeader),
  });
  const owned = (filter: LiveFilter): LiveStreamView[] => {
    if ('scope' in filter) return registry.listLive(filter.scope);
    const view = registry.getLive(filter.channelArn);
    return view ? [view] : [];
  };
  const local: LocalNode = {
    liveViews: owned,
    viewerCounts(filter) {
      const matches = (arn: string) =>
        'channelArn' in filter
          ? arn === filter.channelArn
          : arn.startsWith(`arn:aws:ivs:${filter.scope.region}:${filter.scope.account}:`);
      const counts = pull.viewerCounts(matches);
      for (const v of owned(filter)) counts[v.channelArn] = (counts[v.channelArn] ?? 0) + v.viewerCount;
      return counts;
    },
    stop: (channelArn) => registry.stop(channelArn),
    putMetadata: (channelArn, text) => registry.putMetadata(channelArn, text),
    insertAdBreak: (channelArn, adBreak) => registry.insertAdBreak(channelArn, adBreak),
    access(playbackKey) {
      const stream = registry.forPlayback(playbackKey);
      return stream && !stream.ended
        ? accessToWire({ playbackKey, streamId: stream.streamId, channel: stream.channel })
        : undefined;
    },
  };
  const live = new ClusterLiveControl({ nodeId, store, local, peers, aliveNodes });
  const endSessions = (channelArn: string, lease: LeaseRef, failure: string) =>
    closeOrphanedSessions(store, events.outbox, log, new Date(), { channelArn, lease, failure });
  const sweeper = new FailoverSweeper({
    store,
    nodeId,
    ttlMs: nodes.deadAfterMs,
    log,
    steadySince: () => nodes.steadySince,
    endSessions: (channelArn, lease) => endSessions(channelArn, lease, 'The openivs node broadcasting this stream stopped'),
  });
  const replay = new ReplayGuard();
  // Transcode capacity is the cluster's: slots lent to peers (reserved, then relayed to), and, for a stream this
  // node cannot transcode, a slot borrowed from a peer (the Transcoder launches a relay instead of ffmpeg).
  const slots: TranscodeSlots = {
    reserve: () => transcoding.freeSlots > 0 && transcoding.reserve(),
    release: () => transcoding.release(),
  };
  const reservations = new TranscodeReservations(slots);
  const host = new TranscodeHost({
    secret,
    replay,
    reservations,
    slots,
    log,
    spawn(value) {
      const spec = parseRelaySpec(value);
      return spec && spawnFfmpeg(config.ffmpegPath, relayArgs(spec), spec.ladder.length);
    },
  });
  const placement = new TranscodePlacement({ secret, nodeId, peers, aliveNodes, log });
  transcoding.remote = { reserve: () => placement.slot() };
  const nodeApi: NodeApiDeps = { secret, replay, local, transcode: reservations, relay: host };
  // A pull marked as checked by the node that sent it counts only under a valid cluster signature (fresh, unreplayed).
  const pullReplay = new ReplayGuard();
  const peerAuthorized = (req: HttpRequest): boolean =>
    req.headers[PEER_AUTHORIZED_HEADER] === '1' &&
    verifyClusterRequest(
      secret,
      { method: req.method ?? 'GET', path: req.url ?? '' },
      req.headers[CLUSTER_AUTH_HEADER],
      pullReplay,
    ).ok;
  // The concurrent-viewers quota counts every node's viewers: the others' sum per scope, asked at most every 2 s.
  const elsewhere = new RefreshingCache<number>(
    (key) => {
      const [account = '', region = ''] = key.split('/');
      return live.viewersElsewhere({ account, region });
    },
    { refreshAfterMs: 2_000, maxAgeMs: 10_000, maxEntries: 10_000 },
  );
  const viewersElsewhere = (scope: Scope) => elsewhere.get(`${scope.account}/${scope.region}`);
  return {
    live,
    pull,
    peerAuthorized,
    viewersElsewhere,
    nodeApi,
    /** Ends the sessions of this node's previous run whose leases are still live (fenced by them). */
    async endPreviousRun(): Promise<void> {
      const mine = (await store.channelLeases.listLive()).filter((l) => l.nodeId === nodeId);
      for (const lease of mine) await endSessions(lease.channelArn, lease, 'openivs stopped unexpectedly during the stream');
    },
    stopRelays(): void {
      host.close();
    },
    start(): void {
      directory.start();
      sweeper.start();
    },
    async stop(): Promise<void> {
      directory.stop();
      await sweeper.stop();
      reservations.clear();
      peers.close();
    },
  };
}
