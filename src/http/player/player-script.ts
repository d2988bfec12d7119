// The player page's script as the server sends it: the browser build of browser/player.ts (scripts/build-browser.mjs,
// run by `npm run build`), read from beside this compiled module on first request and kept in memory. A missing
// build fails that request (the dispatcher logs it and answers 500) and is looked for again on the next one, as
// hls-assets.ts does with hls.js.

import { readFile } from 'node:fs/promises';

const BUILT = new URL('./browser/player.js', import.meta.url);

let script: Promise<Buffer> | undefined;

export function playerScript(): Promise<Buffer> {
  if (!script) {
    const reading = readFile(BUILT);
    reading.catch(() => {
      if (script === reading) script = undefined;
    });
    script = reading;
  }
  return script;
}
