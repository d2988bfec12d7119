// Playback checks the SRT tests share: a blank page of another origin, and hls.js in Chromium playing a playback URL
// for a number of seconds while recording every error it reports.
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the tests' TypeScript has no DOM lib */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { sleep } from './live.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib).
declare const window: any;
declare const document: any;
declare const Hls: any;
declare const performance: { now(): number };

export interface BlankOrigin {
  url: string;
  close(): Promise<void>;
}

export async function startBlankOrigin(): Promise<BlankOrigin> {
  const server: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><body></body>'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface Played {
  /** Every hls.js error, `fatal ` first when it was fatal. */
  errors: string[];
  playedS: number;
  width: number;
  height: number;
  /** Longest stretch of wall time (s) in which currentTime did not advance after playback began (one still going counts). */
  longestStallS: number;
  /** Wall time (s) from loading the source to the first frame that advanced, or -1 if none did. */
  firstFrameAfterS: number;
  /** Wall time (s) from loading the source to the last check. */
  wallS: number;
  /** Each error's time from loading the source, details, URL (its last two path segments) and HTTP status. */
  errorDetails: string[];
  /** The <video> at the last check: currentTime, readyState, paused, buffered ranges; and hls.js's newest fragment. */
  media: string;
}

/** One line that says how a playback went, for assertion messages. */
export function describePlayed(p: Played): string {
  return (
    `played ${p.playedS.toFixed(1)} s in ${p.wallS.toFixed(1)} s of wall time, first frame after ` +
    `${p.firstFrameAfterS.toFixed(1)} s, longest stall ${p.longestStallS.toFixed(2)} s, errors [${p.errorDetails.join('; ')}]; ` +
    `at the end: ${p.media}`
  );
}

/** Plays `url` with hls.js until `seconds` of media have played, a fatal error, or `timeoutMs`. */
export async function playWithHlsJs(
  browser: Browser,
  blankUrl: string,
  hlsJsUrl: string,
  url: string,
  seconds: number,
  timeoutMs = 30_000,
): Promise<Played> {
  const page = await browser.newPage();
  try {
    await page.goto(blankUrl);
    await page.addScriptTag({ url: hlsJsUrl });
    await page.evaluate((src: string) => {
      const loadedAt = performance.now();
      const state = {
        errors: [] as string[],
        playedS: 0,
        width: 0,
        height: 0,
        longestStallS: 0,
        firstFrameAfterS: -1,
        wallS: 0,
        errorDetails: [] as string[],
        media: '',
      };
      window.__state = state;
      const video = document.createElement('video');
      video.muted = true;
      document.body.appendChild(video);
      const hls = new Hls({ lowLatencyMode: true });
      hls.on(Hls.Events.ERROR, (_e: unknown, data: any) => {
        state.errors.push(`${data.fatal ? 'fatal ' : ''}${data.type}/${data.details}`);
        const url = data.context?.url ?? data.frag?.url ?? '';
        const at = ((performance.now() - loadedAt) / 1000).toFixed(1);
        state.errorDetails.push(`${at} s ${data.details} ${url.split('/').slice(-2).join('/')} ${data.response?.code ?? ''}`);
      });
      let first: number | undefined;
      let lastTime = 0;
      let lastAdvance = 0;
      let lastFrag = '';
      const events: string[] = [];
      const at = () => ((performance.now() - loadedAt) / 1000).toFixed(1);
      hls.on(Hls.Events.FRAG_BUFFERED, (_e: unknown, data: any) => {
        const f = data.part ?? data.frag;
        lastFrag = `${String(f.url).split('/').slice(-2).join('/')} [${f.start.toFixed(2)}+${f.duration.toFixed(2)}]`;
        const end = video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1).toFixed(2) : '-';
        events.push(`${at()} buffered ${lastFrag} → end ${end} (t ${video.currentTime.toFixed(2)})`);
      });
      hls.on(Hls.Events.LEVEL_UPDATED, (_e: unknown, data: any) => {
        const d = data.details;
        const f0 = d.fragments[0];
        events.push(
          `${at()} level ${d.startSN}…${d.endSN}.${d.partList?.at(-1)?.index ?? ''} edge ${d.edge?.toFixed(2)}; ` +
            `sn ${f0?.sn} start ${f0?.start?.toFixed(2)} pdt ${f0?.programDateTime}; skipped ${d.skippedSegments ?? 0}, delta ${Boolean(d.deltaUpdateFailed)}`,
        );
      });
      video.addEventListener('seeking', () => events.push(`${at()} seeking to ${video.currentTime.toFixed(2)}`));
      hls.on(Hls.Events.LEVEL_PTS_UPDATED, (_e: unknown, data: any) => {
        events.push(
          `${at()} pts ${data.type} sn ${data.frag?.sn} ${data.start?.toFixed(2)}…${data.end?.toFixed(2)} drift ${data.drift?.toFixed(2)}`,
        );
      });
      hls.on(Hls.Events.FRAG_LOADING, (_e: unknown, data: any) => {
        events.push(
          `${at()} loading ${
            String((data.part ?? data.frag).url)
              .split('/')
              .slice(-1)[0]
          } start ${(data.part ?? data.frag).start?.toFixed(2)}`,
        );
      });
      window.__events = events;
      video.addEventListener('timeupdate', () => {
        const now = performance.now();
        if (first === undefined && video.currentTime > 0) {
          first = video.currentTime;
          lastAdvance = now;
          state.firstFrameAfterS = (now - loadedAt) / 1000;
        }
        if (first !== undefined && video.currentTime > lastTime) {
          state.longestStallS = Math.max(state.longestStallS, (now - lastAdvance) / 1000);
          lastAdvance = now;
          state.playedS = video.currentTime - first;
        }
        lastTime = video.currentTime;
        state.width = video.videoWidth;
        state.height = video.videoHeight;
      });
      // The state of a check: a stall still going counts, and the element's own view says why it is still.
      window.__read = () => {
        const now = performance.now();
        if (first !== undefined) state.longestStallS = Math.max(state.longestStallS, (now - lastAdvance) / 1000);
        const ranges: string[] = [];
        for (let i = 0; i < video.buffered.length; i++) {
          ranges.push(`${video.buffered.start(i).toFixed(2)}-${video.buffered.end(i).toFixed(2)}`);
        }
        state.media =
          `currentTime ${video.currentTime.toFixed(2)}, readyState ${video.readyState}, paused ${video.paused}, ` +
          `buffered [${ranges.join(' ')}], last fragment buffered ${lastFrag || 'none'}\n` +
          `hls.js events (first 150):\n${events.slice(0, 150).join('\n')}`;
        return { ...state, wallS: (now - loadedAt) / 1000 };
      };
      hls.loadSource(src);
      hls.attachMedia(video);
      void video.play().catch(() => undefined);
    }, url);
    const deadline = Date.now() + timeoutMs;
    const read = (): Promise<Played> => page.evaluate(() => window.__read() as Played);
    let state = await read();
    while (Date.now() < deadline) {
      state = await read();
      if (state.playedS >= seconds || state.errors.some((e) => e.startsWith('fatal'))) break;
      await sleep(200);
    }
    return state;
  } finally {
    await page.close().catch(() => undefined);
  }
}
