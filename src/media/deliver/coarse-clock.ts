// The wall clock to the tenth of a second, read as a number (Date.now() is a call into V8's runtime, ~50 ns here, the
// largest single cost of viewer counting in a profile): viewer counting reads the time on every media
// playlist reload (the request a live server answers most), and its windows are seconds long. A timer refreshes the
// reading while anything uses it; it does not keep the process alive.

const RESOLUTION_MS = 100;

let reading = 0;
let refresher: NodeJS.Timeout | undefined;

/** Date.now() as of RESOLUTION_MS ago at most, while the event loop runs (exact on the first call). */
export function coarseNow(): number {
  if (refresher === undefined) {
    reading = Date.now();
    refresher = setInterval(() => {
      reading = Date.now();
    }, RESOLUTION_MS);
    refresher.unref();
  }
  return reading;
}
