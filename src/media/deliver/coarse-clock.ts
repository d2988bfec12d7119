// The wall clock to the tenth of a second, read without a system call: viewer counting reads the time on every media
// playlist reload (the request a live server answers most), and its windows are seconds long. A timer refreshes the
// reading while anything uses it; it does not keep the process alive.

const RESOLUTION_MS = 100;

let reading = 0;
let refresher: NodeJS.Timeout | undefined;

/** Date.now() as of at most RESOLUTION_MS ago (exact on the first call). */
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
