// The transcoding end of the relay (cluster): another node that accepted a STANDARD publish but has no free slot
// opens, with a reservation it got from this node (transcode-reservations.ts),
//
//   POST /_openivs/node/transcode/relay/<reservation>?node=<its node id>&spec=<base64url JSON ladder + options>
//   Connection: Upgrade, Upgrade: openivs-transcode-relay, x-openivs-cluster-auth (body unsigned: auth.ts)
//
// and after `101 Switching Protocols` the connection carries the source FLV one way (what it would have written
// to a local ffmpeg's stdin) and this node's ffmpeg outputs the other, in frames (relay-frames.ts).
// Why an upgrade rather than a long POST: the HTTP server bounds how long a request body may take (30 s), which
// a live stream exceeds; an upgraded socket leaves the HTTP parser and its timers.
//
// Bounds: the header is checked (signature, age, replay, single-use reservation of that node) before a byte of
// body is read; a checked spec, never a command line, decides what ffmpeg runs (relay-spec.ts); outputs are
// paused while the socket's buffer is full, so a slow peer slows ffmpeg, which then stops reading its input, which
// stops reading the socket; a connection silent for IDLE_MS is dropped. The slot lives as long as the relay:
// a closed connection (the peer stopped, crashed or vanished) kills ffmpeg, and ffmpeg's exit frees the slot.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Logger } from '../logging.js';
import { CLUSTER_AUTH_HEADER, type ReplayGuard, verifyClusterRequest } from './auth.js';
import { encodeFrame, encodeFrames, EXIT_CHANNEL, STDERR_CHANNEL } from './relay-frames.js';
import type { TranscodeReservations, TranscodeSlots } from './transcode-reservations.js';

export const RELAY_PATH = '/_openivs/node/transcode/relay/';
export const RELAY_PROTOCOL = 'openivs-transcode-relay';
const IDLE_MS = 30_000;

/** An ffmpeg started for a peer: the shape of a local child (media/transcode's FfmpegChild, wired by app.ts). */
export interface HostedFfmpeg {
  child: {
    kill(signal?: NodeJS.Signals): boolean;
    once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
    once(event: 'error', listener: (err: Error) => void): unknown;
  };
  stdin: Writable;
  stderr: Readable;
  outputs: Readable[];
}

export interface TranscodeHostOptions {
  secret: string;
  replay: ReplayGuard;
  reservations: TranscodeReservations;
  slots: TranscodeSlots;
  /** Starts ffmpeg for a peer's spec; undefined when the spec is not acceptable. */
  spawn(spec: unknown): HostedFfmpeg | undefined;
  log: Logger;
}

export class TranscodeHost {
  readonly #relays = new Set<Duplex>();

  constructor(private readonly opts: TranscodeHostOptions) {}

  /** Relays running now (each holds a slot). */
  get relays(): number {
    return this.#relays.size;
  }

  /** The server's 'upgrade' event for RELAY_PATH. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a peer that vanishes shows up as 'close'
    const url = new URL(req.url ?? '/', 'http://node');
    const id = url.pathname.slice(RELAY_PATH.length);
    const node = url.searchParams.get('node') ?? '';
    const path = `${url.pathname}${url.search}`;
    const verified = verifyClusterRequest(
      this.opts.secret,
      { method: req.method ?? 'GET', path, unsignedBody: true },
      req.headers[CLUSTER_AUTH_HEADER],
      this.opts.replay,
    );
    if (!verified.ok) return refuse(socket, 403, 'AccessDeniedException', `Cluster authentication failed (${verified.reason})`);
    if (req.headers.upgrade !== RELAY_PROTOCOL) return refuse(socket, 400, 'ValidationException', 'Unknown upgrade');
    if (!this.opts.reservations.consume(id, node))
      return refuse(socket, 409, 'ConflictException', 'No such transcode reservation for this node');
    let proc: HostedFfmpeg | undefined;
    try {
      proc = this.opts.spawn(decodeSpec(url.searchParams.get('spec')));
    } catch (err) {
      this.opts.log.warn({ err: String(err), node }, 'transcode relay: ffmpeg could not be started');
    }
    if (proc === undefined) {
      this.opts.slots.release();
      return refuse(socket, 400, 'ValidationException', 'Unacceptable transcode spec');
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${RELAY_PROTOCOL}\r\n\r\n`);
    this.pump(socket, proc, head, node);
  }

  private pump(socket: Duplex, proc: HostedFfmpeg, head: Buffer, node: string): void {
    const { log, slots } = this.opts;
    this.#relays.add(socket);
    log.info({ node, relays: this.#relays.size }, 'transcode relay opened: running ffmpeg for another node');
    const readers = [...proc.outputs, proc.stderr];
    const send = (frames: Buffer[]): void => {
      let full = false;
      for (const frame of frames) full = !socket.write(frame) || full;
      if (full) for (const r of readers) r.pause();
    };
    socket.on('drain', () => {
      for (const r of readers) r.resume();
    });
    proc.outputs.forEach((pipe, i) => {
      pipe.on('data', (chunk: Buffer) => send(encodeFrames(i, chunk)));
      pipe.on('error', () => undefined);
    });
    proc.stderr.on('data', (chunk: Buffer) => send(encodeFrames(STDERR_CHANNEL, chunk)));
    proc.stdin.on('error', () => undefined); // ffmpeg gone: its exit is reported below
    if (head.length > 0) proc.stdin.write(head);
    socket.pipe(proc.stdin);
    // node:http hands 'upgrade' a net.Socket (typed as the Duplex it extends).
    (socket as Socket).setTimeout(IDLE_MS, () => socket.destroy());
    let done = false;
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      slots.release();
      this.#relays.delete(socket);
      log.info({ node, code, signal }, 'transcode relay closed: slot released');
      if (!socket.destroyed) socket.end(encodeFrame(EXIT_CHANNEL, Buffer.from(JSON.stringify({ code, signal }))));
    };
    proc.child.once('close', exited);
    proc.child.once('error', () => exited(null, null));
    // The peer stopped, crashed or vanished: nobody reads these outputs any more.
    socket.once('close', () => {
      if (!done) proc.child.kill('SIGKILL');
    });
  }

  /** Ends every relay (node shutdown): their peers see an exit and move to another node. */
  close(): void {
    for (const socket of this.#relays) socket.destroy();
  }
}

function decodeSpec(text: string | null): unknown {
  if (text === null) return undefined;
  return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ code, message });
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 409: 'Conflict' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-ErrorType: ${code}\r\nconnection: close\r\n\r\n${body}`,
  );
}
