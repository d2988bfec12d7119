// bench:ingest — N concurrent RTMP publishers of a 720p ~2.5 Mbit/s clip into openivs, then the same N into
// nginx-rtmp (hls on) in the same run, one server after the other under the same ffmpeg load.
// Per server, over the measurement window (after the ramp): CPU of the server process per stream (% of a core),
// RSS per stream above the server's idle baseline, and whether every stream's playlist kept growing;
// for openivs also how many streams went STARVING (ListStreams filterBy health, polled all along).
// Only the server process is measured; the ffmpeg publishers' CPU is printed separately, as load context.
// Targets (issue 3): openivs CPU/stream ≤ 1.5× nginx-rtmp's (issue 17: ≤ 1.0×); 50 streams without STARVING.
// SRT column (issue 16): the same N streams into openivs over SRT (the clip remuxed to MPEG-TS by ffmpeg -c copy, no
// encryption, as RTMP has none here): CPU per SRT stream vs per RTMP stream in the same run (target ≤ 1.5×).
// Takeover time (issue 16): one LOW-latency channel, a primary RTMP publisher with ?priority=1, then BENCH_TAKEOVERS
// backups with ever higher priorities, alternating two encodes of the clip whose H.264 parameter sets differ (B-frames
// or not), so the switch shows as an EXT-X-DISCONTINUITY: from a backup's spawn (≈ its connect) to the first media
// playlist, polled every 50 ms, that lists the discontinuity (the backup's first part). Target: under one segment.
// Memory (issue 17): openivs runs with devtools/memory-probe.ts (NODE_OPTIONS --import, --expose-gc), read at idle
// and at the end of the window, after the RSS figure: per stream, the V8 heap and the ArrayBuffer bytes (Buffers:
// segments, parts, muxer buffers) as the process saw them, then after a full GC (what is live; the rest was garbage
// waiting for V8's next major GC) with the RSS then.
// Env: BENCH_STREAMS (50), BENCH_DURATION (60 s measurement window), BENCH_RAMP (10 s), BENCH_TAKEOVERS (3).

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fetchMediaPlaylist,
  fetchText,
  firstVariantUrl,
  isRunning,
  makeClip,
  startPublisher,
  stopPublishers,
  type Clip,
} from './lib/media.js';
import { ensureNginxRtmp, startNginxRtmp } from './lib/nginx-rtmp.js';
import { readMemoryProbe, type MemoryProbe } from '../devtools/memory-probe.js';
import { freePort } from '../devtools/server.js';
import { loopClipArgs } from '../devtools/ffmpeg.js';
import {
  cpuSeconds,
  cpuSecondsByThread,
  killGroup,
  removeOnExit,
  rssKb,
  sleep,
  spawnGroup,
  startOpenivs,
  type GroupChild,
} from './lib/processes.js';
import { call } from './lib/signing.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 60);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 10);
const HEALTH_POLL_MS = 2_000;
const TAKEOVERS = Number(process.env.BENCH_TAKEOVERS ?? 3);
const CPU_TARGET = 1.5;
/** Issue 17's tighter target for the same ratio. */
const CPU_TARGET_ISSUE17 = 1.0;
const RSS_TARGET_MB = 4;
const MEMORY_PROBE = fileURLToPath(new URL('../devtools/memory-probe.js', import.meta.url));
const SRT_CPU_TARGET = 1.5;

interface Result {
  server: string;
  streams: number;
  cpuPerStream: number; // % of a core
  serverCpu: number; // % of a core, whole process
  rssPerStreamMb: number;
  rssIdleMb: number;
  rssEndMb: number;
  publishersCpu: number; // % of a core, all ffmpeg processes together
  /** % of a core per stream by kind of server thread (main JavaScript thread, libsrt's, libuv's, V8's). */
  threads: Map<string, number>;
  /** MB per stream from the memory probe (openivs only). */
  memory?: { heap: number; arrayBuffers: number; heapLive: number; arrayBuffersLive: number; rssAfterGc: number };
  starving?: { ramp: number; window: number; total: number };
  live: number; // streams whose playlist advanced over the last part of the window
  publishersAlive: number;
  notes: string[];
}

/** What a server under test offers the common measurement loop. */
interface Target {
  name: string;
  pid: number;
  publishUrls: string[];
  /** Media playlist URL of stream i once it is served (retried during the ramp). */
  playlistUrl: (i: number) => Promise<string | undefined>;
  /** Ids of the streams currently STARVING, where the server reports health. */
  starving?: () => Promise<string[]>;
  /** Live stream count as the server reports it. */
  liveCount?: () => Promise<number>;
  /** Starts one publisher to a URL (default: the clip as FLV over RTMP). */
  startPublisher?: (clip: Clip, url: string) => GroupChild;
  /** The memory probe's output file, when the server runs with it. */
  probeFile?: string;
}

/** `ffmpeg -re -stream_loop -1 -i clip -c copy -f mpegts <srt url>`: the same clip, remuxed to MPEG-TS, over SRT. */
function startSrtPublisher(clip: Clip, url: string): GroupChild {
  return spawnGroup('ffmpeg', loopClipArgs(clip.path, 'mpegts', url));
}

const media = async (url: string | undefined) => (url ? (await fetchMediaPlaylist(url))?.mediaSequence : undefined);
const lastSequence = async (url: string | undefined) => {
  const p = url ? await fetchMediaPlaylist(url) : undefined;
  return p && p.segments.length > 0 ? p.segments[p.segments.length - 1]!.sequence : undefined;
};

/** CPU seconds of the publishers still running (one that exits mid-window drops out of both ends alike, roughly). */
function publishersCpu(publishers: readonly GroupChild[]): number {
  let total = 0;
  for (const p of publishers) {
    try {
      if (isRunning(p)) total += cpuSeconds(p.child.pid!);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

async function measure(target: Target, clip: Clip): Promise<Result> {
  const notes: string[] = [];
  await sleep(1_000);
  const rssIdle = rssKb(target.pid);
  const probeIdle = target.probeFile ? await readMemoryProbe(target.pid, target.probeFile) : undefined;
  const publishers: GroupChild[] = [];
  const starvingRamp = new Set<string>();
  const starvingWindow = new Set<string>();
  const state: { phase: 'ramp' | 'window' | 'done' } = { phase: 'ramp' };
  let poller: Promise<void> | undefined;
  try {
    const rampEnd = Date.now() + RAMP_S * 1000;
    // Spread the publishers' start over the first part of the ramp so ffmpeg's own start-up does not land at once.
    const spacing = Math.min(100, (RAMP_S * 1000) / 2 / Math.max(1, target.publishUrls.length));
    for (const url of target.publishUrls) {
      publishers.push((target.startPublisher ?? startPublisher)(clip, url));
      await sleep(spacing);
    }
    if (target.starving) {
      const poll = target.starving;
      poller = (async () => {
        while (state.phase !== 'done') {
          const ids = await poll().catch(() => []);
          for (const id of ids) (state.phase === 'ramp' ? starvingRamp : starvingWindow).add(id);
          await sleep(HEALTH_POLL_MS);
        }
      })();
    }
    await sleep(rampEnd - Date.now());

    const urls: (string | undefined)[] = await Promise.all(
      target.publishUrls.map(async (_, i) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          const url = await target.playlistUrl(i).catch(() => undefined);
          if (url && (await media(url)) !== undefined) return url;
          await sleep(500);
        }
        return undefined;
      }),
    );
    const missing = urls.filter((u) => u === undefined).length;
    if (missing > 0) notes.push(`${missing} playlists not served after the ramp`);

    // Measurement window.
    state.phase = 'window';
    const cpu0 = cpuSeconds(target.pid);
    const threads0 = cpuSecondsByThread(target.pid);
    const pubCpu0 = publishersCpu(publishers);
    const t0 = process.hrtime.bigint();
    const windowEnd = Date.now() + DURATION_S * 1000;
    const checkAt = windowEnd - Math.min(8_000, (DURATION_S * 1000) / 2);
    await sleep(checkAt - Date.now());
    const seqMid = await Promise.all(urls.map(lastSequence));
    await sleep(windowEnd - Date.now());
    const cpu1 = cpuSeconds(target.pid);
    const threads1 = cpuSecondsByThread(target.pid);
    const pubCpu1 = publishersCpu(publishers);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const rssEnd = rssKb(target.pid);
    const probeEnd = target.probeFile ? await readMemoryProbe(target.pid, target.probeFile) : undefined;
    state.phase = 'done';
    const seqEnd = await Promise.all(urls.map(lastSequence));
    const live = seqEnd.filter((s, i) => s !== undefined && seqMid[i] !== undefined && s > seqMid[i]).length;
    const alive = publishers.filter(isRunning).length;
    if (alive < publishers.length) {
      const dead = publishers.find((p) => !isRunning(p))!;
      notes.push(
        `${publishers.length - alive} publishers exited early; first one's stderr: ${dead.stderrTail().trim() || '(empty)'}`,
      );
    }
    if (target.liveCount) {
      const count = await target.liveCount();
      if (count !== STREAMS) notes.push(`server lists ${count} live streams, expected ${STREAMS}`);
    }
    await poller;
    const n = target.publishUrls.length;
    return {
      server: target.name,
      streams: n,
      cpuPerStream: (100 * (cpu1 - cpu0)) / elapsed / n,
      serverCpu: (100 * (cpu1 - cpu0)) / elapsed,
      rssPerStreamMb: (rssEnd - rssIdle) / 1024 / n,
      rssIdleMb: rssIdle / 1024,
      rssEndMb: rssEnd / 1024,
      publishersCpu: (100 * (pubCpu1 - pubCpu0)) / elapsed,
      threads: new Map(
        [...threads1].map(([kind, s]) => [kind, (100 * (s - (threads0.get(kind) ?? 0))) / elapsed / target.publishUrls.length]),
      ),
      memory: memoryPerStream(probeIdle, probeEnd, n),
      starving: target.starving
        ? { ramp: starvingRamp.size, window: starvingWindow.size, total: new Set([...starvingRamp, ...starvingWindow]).size }
        : undefined,
      live,
      publishersAlive: alive,
      notes,
    };
  } finally {
    state.phase = 'done';
    await stopPublishers(publishers);
    await poller?.catch(() => undefined);
  }
}

function memoryPerStream(idle: MemoryProbe | undefined, end: MemoryProbe | undefined, n: number): Result['memory'] {
  if (!idle?.afterGc || !end?.afterGc) return undefined;
  const per = (a: number, b: number) => (b - a) / 1048576 / n;
  return {
    heap: per(idle.heapUsed, end.heapUsed),
    arrayBuffers: per(idle.arrayBuffers, end.arrayBuffers),
    heapLive: per(idle.afterGc.heapUsed, end.afterGc.heapUsed),
    arrayBuffersLive: per(idle.afterGc.arrayBuffers, end.afterGc.arrayBuffers),
    rssAfterGc: per(idle.afterGc.rss, end.afterGc.rss),
  };
}

async function listAllStreams(port: number, filterBy?: { health: string }): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await call(port, 'ListStreams', { filterBy, maxResults: 100, nextToken })) as {
      streams: { channelArn: string }[];
      nextToken?: string;
    };
    arns.push(...page.streams.map((s) => s.channelArn));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

async function runOpenivs(clip: Clip, dir: string, protocol: 'rtmp' | 'srt' = 'rtmp'): Promise<Result> {
  const dataDir = join(dir, `openivs-data-${protocol}`);
  const quota = String(STREAMS + 10);
  const probeFile = join(dir, `memory-probe-${protocol}.json`);
  const server = await startOpenivs(
    dataDir,
    ['--allow-insecure-ingest'],
    {
      OPENIVS_QUOTA_CHANNELS: quota,
      OPENIVS_QUOTA_CONCURRENT_BROADCASTS: quota,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${MEMORY_PROBE} --expose-gc`.trim(),
      OPENIVS_MEMORY_PROBE: probeFile,
    },
    { srt: protocol === 'srt' },
  );
  const { port, rtmpPort, srtPort } = server;
  try {
    const channels: { arn: string; playbackUrl: string; key: string }[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const out = (await call(port, 'CreateChannel', { name: `bench-${i}`, type: 'BASIC', insecureIngest: true })) as {
        channel: { arn: string; playbackUrl: string };
        streamKey: { value: string };
      };
      channels.push({ arn: out.channel.arn, playbackUrl: out.channel.playbackUrl, key: out.streamKey.value });
    }
    const mediaUrls = new Map<number, string>();
    return await measure(
      {
        name: protocol === 'srt' ? 'openivs (SRT)' : 'openivs',
        pid: server.proc.pid!,
        publishUrls: channels.map((c) =>
          protocol === 'srt' ? `srt://127.0.0.1:${srtPort!}?streamid=${c.key}` : `rtmp://127.0.0.1:${rtmpPort}/app/${c.key}`,
        ),
        startPublisher: protocol === 'srt' ? startSrtPublisher : undefined,
        playlistUrl: async (i) => {
          if (!mediaUrls.has(i)) {
            const url = await firstVariantUrl(channels[i]!.playbackUrl);
            if (url) mediaUrls.set(i, url);
          }
          return mediaUrls.get(i);
        },
        starving: () => listAllStreams(port, { health: 'STARVING' }),
        liveCount: async () => (await listAllStreams(port)).length,
        probeFile,
      },
      clip,
    );
  } finally {
    await server.stop();
  }
}

async function runNginx(nginxBin: string, clip: Clip, dir: string): Promise<Result> {
  const nginxDir = join(dir, 'nginx');
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const nginx = await startNginxRtmp(nginxBin, nginxDir, rtmpPort, httpPort);
  try {
    const names = Array.from({ length: STREAMS }, (_, i) => `s${i}`);
    const result = await measure(
      {
        name: 'nginx-rtmp',
        pid: nginx.server.child.pid!,
        publishUrls: names.map((n) => `${nginx.rtmpBase}/${n}`),
        playlistUrl: async (i) => `${nginx.httpBase}/${names[i]}.m3u8`,
      },
      clip,
    );
    const onDisk = readdirSync(nginx.hlsDir).reduce(
      (sum, f) => sum + (statSync(join(nginx.hlsDir, f), { throwIfNoEntry: false })?.size ?? 0),
      0,
    );
    result.notes.push(
      `its HLS output is on disk, outside RSS: ${(onDisk / 1024 / 1024).toFixed(0)} MB in the hls dir at the end ` +
        '(hls_cleanup runs in the nginx cache-manager process, which master_process off does not start, so old fragments stay)',
    );
    return result;
  } finally {
    await killGroup(nginx.server.child);
  }
}

/** The discontinuities a media playlist has seen: its discontinuity sequence plus the tags it lists. */
function discontinuities(playlist: string): number {
  const base = /#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(playlist);
  return Number(base?.[1] ?? 0) + (playlist.match(/^#EXT-X-DISCONTINUITY$/gm)?.length ?? 0);
}

interface TakeoverTimes {
  /** ms from each backup's spawn to the first playlist listing its discontinuity; undefined: never seen. */
  times: (number | undefined)[];
  targetSegmentMs: number;
}

/** One LOW-latency channel taken over BENCH_TAKEOVERS times, each switch timed from the playlist (see the header). */
async function measureTakeovers(clips: [Clip, Clip], dir: string): Promise<TakeoverTimes> {
  const server = await startOpenivs(join(dir, 'openivs-data-takeover'), ['--allow-insecure-ingest']);
  const publishers: GroupChild[] = [];
  try {
    const out = (await call(server.port, 'CreateChannel', {
      name: 'bench-takeover',
      type: 'BASIC',
      latencyMode: 'LOW',
      insecureIngest: true,
    })) as { channel: { playbackUrl: string }; streamKey: { value: string } };
    const url = (priority: number) => `rtmp://127.0.0.1:${server.rtmpPort}/app/${out.streamKey.value}?priority=${priority}`;
    publishers.push(startPublisher(clips[0], url(1)));
    let media: string | undefined;
    for (let i = 0; i < 60 && media === undefined; i++) {
      media = await firstVariantUrl(out.channel.playbackUrl).catch(() => undefined);
      if (media === undefined) await sleep(500);
    }
    if (media === undefined) throw new Error('takeover: the primary never played');
    await sleep(4_000);
    const first = await fetchText(media);
    const targetSegmentMs = 1000 * Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(first.text)?.[1] ?? 0);
    const times: (number | undefined)[] = [];
    for (let n = 1; n <= TAKEOVERS; n++) {
      const seen = discontinuities((await fetchText(media)).text);
      const started = performance.now();
      publishers.push(startPublisher(clips[n % 2]!, url(n + 1)));
      let took: number | undefined;
      while (took === undefined && performance.now() - started < 20_000) {
        const now = await fetchText(media).catch(() => undefined);
        if (now && discontinuities(now.text) > seen) took = performance.now() - started;
        else await sleep(50);
      }
      times.push(took);
      await sleep(5_000); // let the backup settle before the next one (the limit allows 5 attempts a minute)
    }
    return { times, targetSegmentMs };
  } finally {
    await stopPublishers(publishers);
    await server.stop();
  }
}

function table(results: Result[]): void {
  const rows = [
    [
      'server',
      'streams',
      'CPU/stream',
      'RSS/stream',
      'starving',
      'playlists growing',
      'server CPU',
      'RSS idle→end',
      'ffmpeg CPU',
    ],
    ...results.map((r) => [
      r.server,
      String(r.streams),
      `${r.cpuPerStream.toFixed(2)}% core`,
      `${r.rssPerStreamMb.toFixed(2)} MB`,
      r.starving ? `${r.starving.total} (ramp ${r.starving.ramp}, window ${r.starving.window})` : 'n/a',
      `${r.live}/${r.streams}`,
      `${r.serverCpu.toFixed(1)}% core`,
      `${r.rssIdleMb.toFixed(0)}→${r.rssEndMb.toFixed(0)} MB`,
      `${r.publishersCpu.toFixed(0)}% core`,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  rows.forEach((row, i) => {
    console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  });
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-ingest-')));
  try {
    const nginxBin = ensureNginxRtmp();
    const clip = await makeClip(dir);
    console.log(
      `clip: 1280x720 30 fps H.264 2500k (2 s GOP) + AAC 128k, ${clip.seconds} s FLV, ${clip.kbps.toFixed(0)} kbit/s overall`,
    );
    console.log(
      `${STREAMS} publishers (ffmpeg -re -stream_loop -1 -c copy) per server, ${RAMP_S} s ramp, ${DURATION_S} s window; ` +
        'servers run one after the other',
    );
    const results: Result[] = [];
    results.push(await runOpenivs(clip, dir));
    results.push(await runNginx(nginxBin, clip, dir));
    results.push(await runOpenivs(clip, dir, 'srt'));
    const otherClip = await makeClip(dir, 20, { zerolatency: true });
    const takeovers = await measureTakeovers([clip, otherClip], dir);
    console.log('');
    table(results);
    for (const r of results) for (const note of r.notes) console.log(`  note (${r.server}): ${note}`);
    const [ours, peer, srt] = results as [Result, Result, Result];
    const ratio = ours.cpuPerStream / peer.cpuPerStream;
    console.log('');
    console.log(
      `CPU per stream: openivs / nginx-rtmp = ${ratio.toFixed(2)}× (target ≤ ${CPU_TARGET}× — ${ratio <= CPU_TARGET ? 'met' : 'NOT met'}; ` +
        `issue 17: ≤ ${CPU_TARGET_ISSUE17.toFixed(1)}× — ${ratio <= CPU_TARGET_ISSUE17 ? 'met' : 'NOT met'})`,
    );
    const clean = ours.starving!.total === 0 && ours.live === ours.streams && ours.publishersAlive === ours.streams;
    console.log(
      `${ours.streams} streams into openivs without STARVING, all playlists growing: ${clean ? 'yes' : 'NO'}` +
        ` (starving ${ours.starving!.total}, growing ${ours.live}/${ours.streams}, publishers alive ${ours.publishersAlive}/${ours.streams})`,
    );
    const srtRatio = srt.cpuPerStream / ours.cpuPerStream;
    console.log(
      `CPU per stream: openivs SRT / openivs RTMP = ${srtRatio.toFixed(2)}× (target ≤ ${SRT_CPU_TARGET}×) — ` +
        `${srtRatio <= SRT_CPU_TARGET ? 'met' : 'NOT met'}; SRT streams growing ${srt.live}/${srt.streams}`,
    );
    for (const r of [ours, srt]) {
      const m = r.memory;
      if (!m) continue;
      console.log(
        `  ${r.server} memory per stream: RSS ${r.rssPerStreamMb.toFixed(2)} MB (target ≤ ${RSS_TARGET_MB} MB — ` +
          `${r.rssPerStreamMb <= RSS_TARGET_MB ? 'met' : 'NOT met'}); V8 heap ${m.heap.toFixed(2)} MB, ArrayBuffers ` +
          `${m.arrayBuffers.toFixed(2)} MB; after a full GC: heap ${m.heapLive.toFixed(2)} MB, ArrayBuffers ` +
          `${m.arrayBuffersLive.toFixed(2)} MB, RSS ${m.rssAfterGc.toFixed(2)} MB`,
      );
    }
    // Where each openivs process spends its CPU, per stream: what SRT costs beyond RTMP, thread by thread.
    for (const r of [ours, srt]) {
      const kinds = [...r.threads].filter(([, v]) => v >= 0.005).sort((a, b) => b[1] - a[1]);
      console.log(`  ${r.server} CPU per stream by thread: ${kinds.map(([k, v]) => `${k} ${v.toFixed(2)}%`).join(', ')}`);
    }
    const seen = takeovers.times.filter((t): t is number => t !== undefined);
    const worst = seen.length === takeovers.times.length ? Math.max(...seen) : Number.POSITIVE_INFINITY;
    console.log(
      `takeover time (backup's connect → its first part in the playlist): ` +
        `${takeovers.times.map((t) => (t === undefined ? 'not seen' : `${t.toFixed(0)} ms`)).join(', ')}; ` +
        `target under one segment (${takeovers.targetSegmentMs} ms) — ${worst < takeovers.targetSegmentMs ? 'met' : 'NOT met'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
