// The player page's HTML and CSS. No inline script or style (the CSP allows 'self' only); the form submits as a
// navigation to ?url=, which lets the server name that URL's origin in the page's CSP.

export const PLAYER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>openivs player</title>
<link rel="stylesheet" href="/_openivs/player/player.css">
<link rel="icon" href="/_openivs/player/favicon.svg" type="image/svg+xml">
<script src="/_openivs/player/hls.min.js" defer></script>
<script src="/_openivs/player/player.js" defer></script>
</head>
<body>
<main>
<h1>openivs player</h1>
<form id="form" method="get" action="/_openivs/player">
<input id="url" name="url" type="url" required placeholder="playbackUrl: https://…/api/video/v1/….m3u8" aria-label="Playback URL">
<button type="submit">Play</button>
</form>
<video id="video" controls autoplay muted playsinline></video>
<dl>
<dt>State</dt><dd id="state" data-state="idle">Enter a channel's playbackUrl above.</dd>
<dt>Latency</dt><dd id="latency">–</dd>
<dt>Video</dt><dd id="resolution">–</dd>
</dl>
<h2>Timed metadata</h2>
<p id="no-cues">None yet. Send some with PutMetadata while the channel is live.</p>
<ol id="cues" reversed></ol>
</main>
<noscript>The player needs JavaScript.</noscript>
</body>
</html>
`;

export const PLAYER_CSS = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
form { display: flex; gap: 0.5rem; margin-bottom: 1rem; }
input { flex: 1; font: inherit; padding: 0.4rem; min-width: 0; }
button { font: inherit; padding: 0.4rem 1rem; }
video { width: 100%; aspect-ratio: 16 / 9; background: #000; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
#state[data-state="playing"] { color: #1a7f37; }
#state[data-state="waiting"], #state[data-state="loading"], #state[data-state="buffering"] { color: #9a6700; }
#state[data-state="error"] { color: #cf222e; }
#cues { font-family: ui-monospace, monospace; padding-left: 2rem; }
#cues li { opacity: 0.55; word-break: break-all; }
#cues li.shown { opacity: 1; }
#cues time { opacity: 0.7; margin-right: 0.5rem; }
`;

/** Linked as the page's icon, so the browser does not ask the API for /favicon.ico (a SigV4 403). */
export const PLAYER_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">\
<rect width="16" height="16" rx="3" fill="#232f3e"/><path d="M6 4.5v7l5.5-3.5z" fill="#ff9900"/></svg>
`;
