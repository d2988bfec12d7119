// The player page's script, served as /_openivs/player/player.js (plain browser JavaScript kept as a string: the
// project's TypeScript has no DOM types and no bundler). It plays ?url= with hls.js in low-latency mode, retries
// while the channel is offline (the multivariant playlist answers 404), shows the state, the latency and the
// timed metadata (ID3 TXXX from PutMetadata) as hls.js parses it, leaving out the `segmentmetadata` tag every segment
// starts with. For tests and the console it exposes window.__openivsCues (every cue that arrived),
// window.__openivsStates (state history) and window.__openivsLatency.
// Keep it free of backticks and dollar-brace: it sits in a template literal.

export const PLAYER_JS = String.raw`(function () {
  'use strict';
  var RETRY_OFFLINE_MS = 2000;
  var RETRY_ERROR_MS = 5000;
  var MAX_CUES = 1000;
  var MAX_CUE_ROWS = 100;
  var byId = function (id) { return document.getElementById(id); };
  var video = byId('video');
  var stateEl = byId('state');
  var latencyEl = byId('latency');
  var resolutionEl = byId('resolution');
  var cuesEl = byId('cues');
  var noCuesEl = byId('no-cues');
  var input = byId('url');

  var cues = [];
  var states = [];
  var pending = [];
  var seen = new Set();
  window.__openivsCues = cues;
  window.__openivsStates = states;
  window.__openivsLatency = null;

  var src = new URLSearchParams(location.search).get('url');
  // Private channels: ?token=<JWT> is passed on to the playback URL (a token inside ?url= works as well).
  var token = new URLSearchParams(location.search).get('token');
  if (src && token) src += (src.indexOf('?') === -1 ? '?' : '&') + 'token=' + encodeURIComponent(token);
  var hls = null;
  var retryTimer = 0;
  var attempt = 0;
  var mediaRecoveries = 0;

  function setState(state, message) {
    if (stateEl.dataset.state !== state) states.push(state);
    stateEl.dataset.state = state;
    stateEl.textContent = message;
  }

  function stop() {
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

  function retry(state, message, ms) {
    stop();
    setState(state, message + ' Retrying in ' + Math.round(ms / 1000) + ' s (attempt ' + attempt + ').');
    retryTimer = setTimeout(start, ms);
  }

  function start() {
    stop();
    attempt++;
    if (typeof Hls === 'undefined') {
      setState('error', 'hls.js did not load from /_openivs/player/hls.min.js.');
      return;
    }
    if (!Hls.isSupported()) {
      if (video.canPlayType('application/vnd.apple.mpegurl')) {
        setState('loading', 'Loading with the native HLS player of this browser.');
        video.src = src;
        return;
      }
      setState('error', 'This browser has neither Media Source Extensions nor native HLS.');
      return;
    }
    if (attempt === 1) setState('loading', 'Loading ' + src + '.');
    hls = new Hls({ lowLatencyMode: true, workerPath: '/_openivs/player/hls.worker.js' });
    hls.on(Hls.Events.MANIFEST_PARSED, function (_event, data) {
      var level = data.levels[0];
      hls.attachMedia(video);
      setState('loading', 'Stream found (' + data.levels.length + ' rendition' + (data.levels.length === 1 ? '' : 's') +
        (level && level.width ? ', ' + level.width + 'x' + level.height : '') + '), buffering.');
      var played = video.play();
      if (played && played.catch) {
        played.catch(function (err) {
          if (err && err.name === 'NotAllowedError') setState('paused', 'The browser blocked autoplay: press play.');
        });
      }
    });
    hls.on(Hls.Events.ERROR, onError);
    hls.on(Hls.Events.FRAG_PARSING_METADATA, onMetadata);
    // The <video> gets a MediaSource only once the channel is live: polling an offline channel leaves it alone
    // (tearing down a MediaSource whose blob: URL the element is still opening makes a console error).
    hls.loadSource(src);
  }

  function onError(_event, data) {
    if (!data.fatal) return;
    var code = data.response && data.response.code;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
      mediaRecoveries++;
      hls.recoverMediaError();
      return;
    }
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      if (code === 404) return retry('waiting', 'Waiting for the stream: the channel is offline or does not exist.', RETRY_OFFLINE_MS);
      if (code === 429) return retry('waiting', 'Too many viewers (concurrent-viewers quota).', RETRY_ERROR_MS);
      if (code === 403) return retry('error', 'Playback refused: the channel is private and needs a valid token (?token=).', RETRY_ERROR_MS);
      if (!code) return retry('waiting', 'Cannot reach the playback URL (' + data.details + ').', RETRY_ERROR_MS);
    }
    retry('error', 'Playback error: ' + data.details + (code ? ' (HTTP ' + code + ')' : '') + '.', RETRY_ERROR_MS);
  }

  // ---- timed metadata: ID3 tags as hls.js demuxed them (samples[].data), decoded here

  function syncsafe(b, i) {
    return ((b[i] & 0x7f) << 21) | ((b[i + 1] & 0x7f) << 14) | ((b[i + 2] & 0x7f) << 7) | (b[i + 3] & 0x7f);
  }
  function uint32(b, i) {
    return b[i] * 0x1000000 + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
  }
  var ENCODINGS = ['iso-8859-1', 'utf-16', 'utf-16be', 'utf-8'];
  function decodeText(encoding, bytes) {
    return new TextDecoder(ENCODINGS[encoding] || 'utf-8').decode(bytes).replace(/\u0000+$/, '');
  }
  /** Splits at the first string terminator of the encoding (one zero byte, or two aligned for UTF-16). */
  function splitTerminated(encoding, bytes) {
    var step = encoding === 1 || encoding === 2 ? 2 : 1;
    for (var i = 0; i + step <= bytes.length; i += step) {
      if (bytes[i] === 0 && (step === 1 || bytes[i + 1] === 0)) return [bytes.subarray(0, i), bytes.subarray(i + step)];
    }
    return [bytes, bytes.subarray(bytes.length)];
  }
  function decodeFrame(id, body) {
    if (id === 'TXXX' && body.length > 0) {
      var parts = splitTerminated(body[0], body.subarray(1));
      return { id: id, description: decodeText(body[0], parts[0]), text: decodeText(body[0], parts[1]) };
    }
    if (id.charAt(0) === 'T' && body.length > 0) return { id: id, description: '', text: decodeText(body[0], body.subarray(1)) };
    if (id === 'PRIV') {
      var owner = splitTerminated(0, body);
      return { id: id, description: decodeText(0, owner[0]), text: '(' + owner[1].length + ' private bytes)' };
    }
    return { id: id, description: '', text: '(' + body.length + ' bytes)' };
  }
  /** The frames of the ID3v2.3/2.4 tags in a buffer. */
  function parseId3(data) {
    var b = data instanceof Uint8Array ? data : new Uint8Array(data);
    var frames = [];
    var off = 0;
    while (off + 10 <= b.length && b[off] === 0x49 && b[off + 1] === 0x44 && b[off + 2] === 0x33) {
      var major = b[off + 3];
      var flags = b[off + 5];
      var end = Math.min(b.length, off + 10 + syncsafe(b, off + 6));
      var p = off + 10;
      if (flags & 0x40) p += major === 4 ? syncsafe(b, p) : uint32(b, p) + 4;
      while (p + 10 <= end) {
        var id = String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
        if (!/^[A-Z0-9]{4}$/.test(id)) break; // padding
        var size = major === 4 ? syncsafe(b, p + 4) : uint32(b, p + 4);
        frames.push(decodeFrame(id, b.subarray(p + 10, Math.min(end, p + 10 + size))));
        p += 10 + size;
      }
      off = end + (flags & 0x10 ? 10 : 0);
    }
    return frames;
  }

  function onMetadata(_event, data) {
    for (var i = 0; i < data.samples.length; i++) {
      var sample = data.samples[i];
      var frames = sample.data ? parseId3(sample.data) : [];
      if (frames.length === 0) frames = [{ id: '?', description: '', text: '(unparsed ' + (sample.data ? sample.data.length : 0) + ' bytes)' }];
      for (var j = 0; j < frames.length; j++) {
        // The tag at the start of every segment (TXXX segmentmetadata, for Amazon's IVS player) is not a cue.
        if (frames[j].id === 'TXXX' && frames[j].description === 'segmentmetadata') continue;
        addCue(frames[j], sample.pts);
      }
    }
    markShown();
  }

  function addCue(frame, pts) {
    var key = pts.toFixed(3) + '|' + frame.id + '|' + frame.description + '|' + frame.text;
    if (seen.has(key)) return; // the same fragment parsed again (level switch, retry)
    seen.add(key);
    var cue = { text: frame.text, description: frame.description, frame: frame.id, pts: pts, receivedAt: Date.now(), shownAt: null };
    cues.push(cue);
    if (cues.length > MAX_CUES) cues.shift();
    var li = document.createElement('li');
    var time = document.createElement('time');
    time.textContent = new Date(cue.receivedAt).toLocaleTimeString();
    time.title = 'received; shown in full once playback reaches it (media time ' + pts.toFixed(2) + ' s)';
    li.appendChild(time);
    li.appendChild(document.createTextNode((frame.id === 'TXXX' ? '' : frame.id + ' ') +
      (frame.description ? frame.description + ': ' : '') + frame.text));
    cuesEl.insertBefore(li, cuesEl.firstChild);
    while (cuesEl.childNodes.length > MAX_CUE_ROWS) cuesEl.removeChild(cuesEl.lastChild);
    noCuesEl.hidden = true;
    pending.push({ cue: cue, li: li });
  }

  function markShown() {
    var now = video.currentTime;
    pending = pending.filter(function (p) {
      if (now < p.cue.pts) return true;
      p.cue.shownAt = Date.now();
      p.li.classList.add('shown');
      return false;
    });
  }

  // ---- state, latency, resolution

  video.addEventListener('playing', function () {
    mediaRecoveries = 0;
    setState('playing', 'Playing.');
  });
  video.addEventListener('waiting', function () {
    if (stateEl.dataset.state === 'playing') setState('buffering', 'Buffering.');
  });
  video.addEventListener('pause', function () {
    if (!video.ended && stateEl.dataset.state === 'playing') setState('paused', 'Paused.');
  });
  video.addEventListener('ended', function () {
    retry('waiting', 'The stream ended; waiting for the channel to go live again.', RETRY_OFFLINE_MS);
  });
  video.addEventListener('error', function () {
    if (!hls && video.getAttribute('src')) retry('error', 'The browser could not play the stream.', RETRY_ERROR_MS);
  });
  video.addEventListener('resize', function () {
    resolutionEl.textContent = video.videoWidth + 'x' + video.videoHeight;
  });
  video.addEventListener('timeupdate', markShown);

  function tick() {
    if (!hls || video.readyState < 2) {
      latencyEl.textContent = '–';
      window.__openivsLatency = null;
      return;
    }
    var info = { endToEnd: null, edge: null, target: null };
    var parts = [];
    var date = hls.playingDate;
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
    setState('idle', 'Enter a channel\'s playbackUrl above.');
    input.focus();
  }
})();
`;
