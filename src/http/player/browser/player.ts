// The player page's script, served as /_openivs/player/player.js: browser TypeScript (DOM types, its own
// tsconfig.json), built by scripts/build-browser.mjs at `npm run build` into one classic script beside the compiled
// server (dist/src/http/player/browser/player.js). It plays ?url= with hls.js in low-latency mode, retries while the
// channel is offline (the multivariant playlist answers 404), shows the state, the latency and the timed metadata
// (ID3 TXXX from PutMetadata) as hls.js parses it, leaving out the `segmentmetadata` tag every segment starts with.
// For tests and the console it exposes window.__openivsCues (every cue that arrived), window.__openivsStates (state
// history) and window.__openivsLatency. hls.js is not bundled: the page loads /_openivs/player/hls.min.js first, which
// defines the global `Hls`; only its types are imported here.

import type HlsPlayer from 'hls.js';
import type { ErrorData, FragParsingMetadataData, ManifestParsedData } from 'hls.js';

declare const Hls: typeof HlsPlayer | undefined;

interface Cue {
  text: string;
  description: string;
  frame: string;
  pts: number;
  receivedAt: number;
  shownAt: number | null;
}

interface Latency {
  endToEnd: number | null;
  edge: number | null;
  target: number | null;
}

declare global {
  interface Window {
    __openivsCues: Cue[];
    __openivsStates: string[];
    __openivsLatency: Latency | null;
  }
}

interface Frame {
  id: string;
  description: string;
  text: string;
}

const RETRY_OFFLINE_MS = 2000;
const RETRY_ERROR_MS = 5000;
const MAX_CUES = 1000;
const MAX_CUE_ROWS = 100;

/** An element the page (page.ts) is known to have. */
function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the player page has no #${id}`);
  return element as T;
}

const video = byId<HTMLVideoElement>('video');
const stateEl = byId('state');
const latencyEl = byId('latency');
const resolutionEl = byId('resolution');
const cuesEl = byId<HTMLOListElement>('cues');
const noCuesEl = byId('no-cues');
const input = byId<HTMLInputElement>('url');

const cues: Cue[] = [];
const states: string[] = [];
let pending: { cue: Cue; li: HTMLLIElement }[] = [];
const seen = new Set<string>();
window.__openivsCues = cues;
window.__openivsStates = states;
window.__openivsLatency = null;

const query = new URLSearchParams(location.search);
let src = query.get('url');
// Private channels: ?token=<JWT> is passed on to the playback URL (a token inside ?url= works as well).
const token = query.get('token');
if (src && token) src += (src.indexOf('?') === -1 ? '?' : '&') + 'token=' + encodeURIComponent(token);
let hls: HlsPlayer | null = null;
let retryTimer = 0;
let attempt = 0;
let mediaRecoveries = 0;

function setState(state: string, message: string): void {
  if (stateEl.dataset.state !== state) states.push(state);
  stateEl.dataset.state = state;
  stateEl.textContent = message;
}

function stop(): void {
  clearTimeout(retryTimer);
  pending = [];
  if (hls) {
    hls.destroy();
    hls = null;
  } else if (video.getAttribute('src')) {
    video.removeAttribute('src');
    video.load();
  }
}

function retry(state: string, message: string, ms: number): void {
  stop();
  setState(state, message + ' Retrying in ' + Math.round(ms / 1000) + ' s (attempt ' + attempt + ').');
  retryTimer = window.setTimeout(start, ms);
}

function start(): void {
  stop();
  attempt++;
  if (typeof Hls === 'undefined') {
    setState('error', 'hls.js did not load from /_openivs/player/hls.min.js.');
    return;
  }
  const source = src ?? '';
  if (!Hls.isSupported()) {
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      setState('loading', 'Loading with the native HLS player of this browser.');
      video.src = source;
      return;
    }
    setState('error', 'This browser has neither Media Source Extensions nor native HLS.');
    return;
  }
  if (attempt === 1) setState('loading', 'Loading ' + source + '.');
  const player = new Hls({ lowLatencyMode: true, workerPath: '/_openivs/player/hls.worker.js' });
  hls = player;
  player.on(Hls.Events.MANIFEST_PARSED, (_event: string, data: ManifestParsedData) => {
    const level = data.levels[0];
    player.attachMedia(video);
    setState(
      'loading',
      'Stream found (' +
        data.levels.length +
        ' rendition' +
        (data.levels.length === 1 ? '' : 's') +
        (level && level.width ? ', ' + level.width + 'x' + level.height : '') +
        '), buffering.',
    );
    // Older browsers return nothing from play().
    const played = video.play() as Promise<void> | undefined;
    played?.catch((err: unknown) => {
      if ((err as { name?: unknown } | null)?.name === 'NotAllowedError')
        setState('paused', 'The browser blocked autoplay: press play.');
    });
  });
  player.on(Hls.Events.ERROR, onError);
  player.on(Hls.Events.FRAG_PARSING_METADATA, onMetadata);
  // The <video> gets a MediaSource only once the channel is live: polling an offline channel leaves it alone
  // (tearing down a MediaSource whose blob: URL the element is still opening makes a console error).
  player.loadSource(source);
}

function onError(_event: string, data: ErrorData): void {
  if (!data.fatal || typeof Hls === 'undefined') return;
  const code = data.response?.code;
  if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
    mediaRecoveries++;
    hls?.recoverMediaError();
    return;
  }
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
    if (code === 404)
      return retry('waiting', 'Waiting for the stream: the channel is offline or does not exist.', RETRY_OFFLINE_MS);
    if (code === 429) return retry('waiting', 'Too many viewers (concurrent-viewers quota).', RETRY_ERROR_MS);
    if (code === 403)
      return retry('error', 'Playback refused: the channel is private and needs a valid token (?token=).', RETRY_ERROR_MS);
    if (!code) return retry('waiting', 'Cannot reach the playback URL (' + data.details + ').', RETRY_ERROR_MS);
  }
  retry('error', 'Playback error: ' + data.details + (code ? ' (HTTP ' + code + ')' : '') + '.', RETRY_ERROR_MS);
}

// ---- timed metadata: ID3 tags as hls.js demuxed them (samples[].data), decoded here

/** Reads at offsets the caller has checked against the buffer's length; a byte past the end reads as 0. */
const at = (b: Uint8Array, i: number): number => b[i] ?? 0;

function syncsafe(b: Uint8Array, i: number): number {
  return ((at(b, i) & 0x7f) << 21) | ((at(b, i + 1) & 0x7f) << 14) | ((at(b, i + 2) & 0x7f) << 7) | (at(b, i + 3) & 0x7f);
}
function uint32(b: Uint8Array, i: number): number {
  return at(b, i) * 0x1000000 + ((at(b, i + 1) << 16) | (at(b, i + 2) << 8) | at(b, i + 3));
}
const ENCODINGS = ['iso-8859-1', 'utf-16', 'utf-16be', 'utf-8'];
function decodeText(encoding: number, bytes: Uint8Array): string {
  // eslint-disable-next-line no-control-regex -- ID3 text may end in NUL terminators, which are not text
  return new TextDecoder(ENCODINGS[encoding] ?? 'utf-8').decode(bytes).replace(/\u0000+$/, '');
}
/** Splits at the first string terminator of the encoding (one zero byte, or two aligned for UTF-16). */
function splitTerminated(encoding: number, bytes: Uint8Array): [Uint8Array, Uint8Array] {
  const step = encoding === 1 || encoding === 2 ? 2 : 1;
  for (let i = 0; i + step <= bytes.length; i += step) {
    if (bytes[i] === 0 && (step === 1 || bytes[i + 1] === 0)) return [bytes.subarray(0, i), bytes.subarray(i + step)];
  }
  return [bytes, bytes.subarray(bytes.length)];
}
function decodeFrame(id: string, body: Uint8Array): Frame {
  const encoding = body[0];
  if (id === 'TXXX' && encoding !== undefined) {
    const [description, text] = splitTerminated(encoding, body.subarray(1));
    return { id, description: decodeText(encoding, description), text: decodeText(encoding, text) };
  }
  if (id.charAt(0) === 'T' && encoding !== undefined)
    return { id, description: '', text: decodeText(encoding, body.subarray(1)) };
  if (id === 'PRIV') {
    const [owner, data] = splitTerminated(0, body);
    return { id, description: decodeText(0, owner), text: '(' + data.length + ' private bytes)' };
  }
  return { id, description: '', text: '(' + body.length + ' bytes)' };
}
/** The frames of the ID3v2.3/2.4 tags in a buffer. */
function parseId3(data: Uint8Array | ArrayBuffer): Frame[] {
  const b = data instanceof Uint8Array ? data : new Uint8Array(data);
  const frames: Frame[] = [];
  let off = 0;
  while (off + 10 <= b.length && b[off] === 0x49 && b[off + 1] === 0x44 && b[off + 2] === 0x33) {
    const major = at(b, off + 3);
    const flags = at(b, off + 5);
    const end = Math.min(b.length, off + 10 + syncsafe(b, off + 6));
    let p = off + 10;
    if (flags & 0x40) p += major === 4 ? syncsafe(b, p) : uint32(b, p) + 4;
    while (p + 10 <= end) {
      const id = String.fromCharCode(at(b, p), at(b, p + 1), at(b, p + 2), at(b, p + 3));
      if (!/^[A-Z0-9]{4}$/.test(id)) break; // padding
      const size = major === 4 ? syncsafe(b, p + 4) : uint32(b, p + 4);
      frames.push(decodeFrame(id, b.subarray(p + 10, Math.min(end, p + 10 + size))));
      p += 10 + size;
    }
    off = end + (flags & 0x10 ? 10 : 0);
  }
  return frames;
}

function onMetadata(_event: string, data: FragParsingMetadataData): void {
  for (const sample of data.samples) {
    // hls.js types `data` as a Uint8Array that is always there; a sample without it is still shown, not dropped.
    const bytes = sample.data as Uint8Array | ArrayBuffer | undefined;
    let frames = bytes ? parseId3(bytes) : [];
    if (frames.length === 0) {
      frames = [{ id: '?', description: '', text: '(unparsed ' + (bytes ? bytes.byteLength : 0) + ' bytes)' }];
    }
    for (const frame of frames) {
      // The tag at the start of every segment (TXXX segmentmetadata, for Amazon's IVS player) is not a cue.
      if (frame.id === 'TXXX' && frame.description === 'segmentmetadata') continue;
      addCue(frame, sample.pts);
    }
  }
  markShown();
}

function addCue(frame: Frame, pts: number): void {
  const key = pts.toFixed(3) + '|' + frame.id + '|' + frame.description + '|' + frame.text;
  if (seen.has(key)) return; // the same fragment parsed again (level switch, retry)
  seen.add(key);
  const cue: Cue = {
    text: frame.text,
    description: frame.description,
    frame: frame.id,
    pts,
    receivedAt: Date.now(),
    shownAt: null,
  };
  cues.push(cue);
  if (cues.length > MAX_CUES) cues.shift();
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date(cue.receivedAt).toLocaleTimeString();
  time.title = 'received; shown in full once playback reaches it (media time ' + pts.toFixed(2) + ' s)';
  li.appendChild(time);
  li.appendChild(
    document.createTextNode(
      (frame.id === 'TXXX' ? '' : frame.id + ' ') + (frame.description ? frame.description + ': ' : '') + frame.text,
    ),
  );
  cuesEl.insertBefore(li, cuesEl.firstChild);
  while (cuesEl.childNodes.length > MAX_CUE_ROWS && cuesEl.lastChild) cuesEl.removeChild(cuesEl.lastChild);
  noCuesEl.hidden = true;
  pending.push({ cue, li });
}

function markShown(): void {
  const now = video.currentTime;
  pending = pending.filter((p) => {
    if (now < p.cue.pts) return true;
    p.cue.shownAt = Date.now();
    p.li.classList.add('shown');
    return false;
  });
}

// ---- state, latency, resolution

video.addEventListener('playing', () => {
  mediaRecoveries = 0;
  setState('playing', 'Playing.');
});
video.addEventListener('waiting', () => {
  if (stateEl.dataset.state === 'playing') setState('buffering', 'Buffering.');
});
video.addEventListener('pause', () => {
  if (!video.ended && stateEl.dataset.state === 'playing') setState('paused', 'Paused.');
});
video.addEventListener('ended', () => {
  retry('waiting', 'The stream ended; waiting for the channel to go live again.', RETRY_OFFLINE_MS);
});
video.addEventListener('error', () => {
  if (!hls && video.getAttribute('src')) retry('error', 'The browser could not play the stream.', RETRY_ERROR_MS);
});
video.addEventListener('resize', () => {
  resolutionEl.textContent = video.videoWidth + 'x' + video.videoHeight;
});
video.addEventListener('timeupdate', markShown);

function tick(): void {
  if (!hls || video.readyState < 2) {
    latencyEl.textContent = '–';
    window.__openivsLatency = null;
    return;
  }
  const info: Latency = { endToEnd: null, edge: null, target: null };
  const parts: string[] = [];
  const date = hls.playingDate;
  if (date && !isNaN(date.getTime())) {
    info.endToEnd = (Date.now() - date.getTime()) / 1000;
    parts.push(info.endToEnd.toFixed(1) + ' s behind ingest (EXT-X-PROGRAM-DATE-TIME vs this clock)');
  }
  if (isFinite(hls.latency) && hls.latency > 0) {
    info.edge = hls.latency;
    parts.push(hls.latency.toFixed(1) + ' s behind the live edge');
  }
  if (hls.targetLatency) {
    info.target = hls.targetLatency;
    parts.push('target ' + hls.targetLatency.toFixed(1) + ' s');
  }
  latencyEl.textContent = parts.length > 0 ? parts.join('; ') : '–';
  window.__openivsLatency = info;
}
setInterval(tick, 500);

if (src) {
  input.value = src;
  start();
} else {
  setState('idle', "Enter a channel's playbackUrl above.");
  input.focus();
}
