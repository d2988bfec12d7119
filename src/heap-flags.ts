// The V8 heap setting openivs runs with, and the check that the process got it.
//
// Why a setting at all: V8 counts the ArrayBuffer bytes allocated since its last full (mark-compact) GC against the
// old generation's allocation limit, and it sets that limit from the JavaScript heap, which is small here (~20 MB;
// media lives in Buffers outside it). Live video allocates Buffers all the time (a message per RTMP frame, a segment
// per rendition every 2 s), so with the default limit V8 starts a full mark a few times a second whatever the heap
// holds: bench:ingest at 30 streams ran 86 mark-compacts in ~45 s, and V8's marking threads took 40% of openivs's
// CPU. --initial-old-space-size puts a floor under that limit (V8 skips full GCs below it when the embedder sets
// it): 13 mark-compacts in the same run. The cost is memory: dead Buffers wait longer for the GC that frees them.
//
// The flag cannot go in NODE_OPTIONS (node refuses it there), so it rides on the command line: the `openivs` bin's
// shebang (src/main.ts), `npm start`'s script (package.json) and devtools' launcher (devtools/server.ts). A unit test
// holds those three to this list.

export const HEAP_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

/** The HEAP_FLAGS the process was not started with (compares the flag's name and value as written). */
export function missingHeapFlags(execArgv: readonly string[]): string[] {
  return HEAP_FLAGS.filter((flag) => !execArgv.includes(flag));
}
