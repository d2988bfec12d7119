// Plain RTMP sockets read into one buffer shared by every connection, instead of node's default of a fresh 64 kB
// allocation per read wrapped in a new Buffer and pushed through the Readable stream machinery. Those were about a
// fifth of the ingest's main-thread time at 50 publishers (libc malloc/free, `Readable.push`, `maybeReadMore`'s
// nextTick per read), a cost nginx-rtmp does not have: it reads into one buffer per connection.
//
// Node offers this as the socket's `onread` option (a buffer plus a callback), but only to sockets it constructs
// for `connect`, not to sockets a server accepts. The option is two symbol-keyed fields set in the Socket
// constructor plus the handle's `useUserBuffer`; this module finds the symbols on the accepted socket and sets them
// the way the constructor would, before the socket starts reading (the server uses `pauseOnConnect`). If this node
// does not have them, it changes nothing and says so: the caller then reads through 'data' events as before.
//
// Sharing one buffer is safe because node delivers reads one at a time on the main thread and the callback
// consumes the bytes synchronously; whatever the consumer keeps past the callback it must copy (the RTMP
// connection copies the few unparsed bytes left at the end of a read, see ByteQueue.ownUnread).

import type { Socket } from 'node:net';

/** libuv's own read size for TCP; one read never returns more. */
const SHARED_SIZE = 64 * 1024;

let shared: Buffer | undefined;
let switched = 0;

interface UserBufferFields {
  buffer: symbol;
  callback: symbol;
}

let fields: UserBufferFields | null | undefined;

/** The Socket constructor's symbol keys for `onread`, found once on the first socket; null when absent. */
function userBufferFields(socket: Socket): UserBufferFields | null {
  if (fields !== undefined) return fields;
  const symbols = Object.getOwnPropertySymbols(socket);
  const buffer = symbols.find((s) => s.description === 'kBuffer');
  const callback = symbols.find((s) => s.description === 'kBufferCb');
  fields = buffer !== undefined && callback !== undefined ? { buffer, callback } : null;
  return fields;
}

interface UserBufferHandle {
  reading?: boolean;
  useUserBuffer?: (buf: Uint8Array) => void;
}

/**
 * Makes a not-yet-reading accepted socket deliver its bytes to `onBytes` from the shared buffer, and starts it
 * reading. The bytes passed are valid only during the call. Returns false, having changed nothing, when this node
 * does not support it or the socket is already reading.
 */
export function readIntoSharedBuffer(socket: Socket, onBytes: (bytes: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  const keys = userBufferFields(socket);
  if (keys === null || handle == null || typeof handle.useUserBuffer !== 'function' || handle.reading === true) {
    return false;
  }
  shared ??= Buffer.allocUnsafeSlow(SHARED_SIZE);
  const target = socket as unknown as Record<symbol, unknown>;
  target[keys.buffer] = shared;
  target[keys.callback] = (nread: number, buf: Buffer): void => onBytes(buf.subarray(0, nread));
  handle.useUserBuffer(shared);
  socket.resume();
  switched++;
  return true;
}

/** Sockets switched to the shared buffer since the process started (tests check the fast path is taken). */
export function sharedReadSockets(): number {
  return switched;
}
