// What openivs's built-in player page (/_openivs/player, src/http/player/browser/player.ts) exposes to the browser
// tests: window.__openivsLatency and the cues in window.__openivsCues, as the page's script writes them.

/** window.__openivsLatency: seconds behind live (null until known). */
export interface PlayerLatency {
  endToEnd: number | null;
  edge: number | null;
  target: number | null;
}

/** One entry of window.__openivsCues: a timed-metadata cue and when it arrived and was shown. */
export interface PlayerCue {
  text: string;
  description: string;
  frame: string;
  pts: number;
  receivedAt: number;
  shownAt: number | null;
}
