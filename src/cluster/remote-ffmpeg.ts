// The accepting end of the transcode relay (cluster): an ffmpeg "child" whose process runs on another node. It
// has the shape the Transcoder supervises (stdin, stderr, one readable per output, 'close' with an exit status,
// kill), so a relay is supervised exactly like a local ffmpeg: a refused or broken connection is an exit, and the
// Transcoder's restart (with backoff) launches a new one, on the same node or another with a free slot.
//
// Writes to stdin before the connection is up are buffered in it; the Transcoder's own bound (it drops input
// until the next keyframe past maxBufferedBytes) keeps that, and a slow link later, from growing without end.
// A connection that brings nothing for IDLE_MS is dropped: a node cut off from the network never closes it.

import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Logger } from '../logging.js';
import { CLUSTER_AUTH_HEADER, signClusterRequest } from './auth.js';
import { EXIT_CHANNEL, FrameReader, STDERR_CHANNEL } from './relay-frames.js';
import { RELAY_PATH, RELAY_PROTOCOL } from './transcode-host.js';

/** A reserved slot on a node: where to connect and with which single-use reservation id. */
export interface RelayTarget {
  nodeId: string;
  nodeUrl: string;
  reservation: string;
}

interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RemoteFfmpegOptions {
  secret: string;
  /** This node's id: the reservation is bound to it. */
  selfNodeId: string;
  /** The slot to connect to; undefined when no node has one (an immediate exit, retried by the Transcoder). */
  target: () => Promise<RelayTarget | undefined>;
  /** The ladder and options (JSON), from which the transcoding node builds its command line. */
  spec: unknown;
  outputs: number;
  log: Logger;
}

const CONNECT_TIMEOUT_MS = 5_000;
const IDLE_MS = 30_000;

export class RemoteFfmpeg extends EventEmitter {
  /** No local process: 0 tells the Transcoder it started. */
  readonly pid = 0;
  readonly stdin = new PassThrough();
  readonly stderr = new PassThrough();
  readonly outputs: PassThrough[];
  #socket: Socket | undefined;
  #request: http.ClientRequest | undefined;
  #exit: ExitStatus | undefined;
  #closed = false;

  constructor(private readonly opts: RemoteFfmpegOptions) {
    super();
    this.outputs = Array.from({ length: opts.outputs }, () => new PassThrough());
    this.#connect().catch((err: unknown) => this.#finish(1, null, `relay: ${String(err)}`));
  }

  /** The Transcoder's view of this relay is the relay itself. */
  get child(): this {
    return this;
  }

  kill(): boolean {
    this.#request?.destroy();
    this.#socket?.destroy();
    this.#finish(null, 'SIGKILL');
    return true;
  }

  async #connect(): Promise<void> {
    let target: RelayTarget | undefined;
    try {
      target = await this.opts.target();
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'transcode relay: no slot could be reserved');
    }
    if (this.#closed) return;
    if (target === undefined) return this.#finish(1, null, 'no node has a free transcode slot');
    const spec = Buffer.from(JSON.stringify(this.opts.spec)).toString('base64url');
    const url = new URL(
      `${RELAY_PATH}${target.reservation}?node=${encodeURIComponent(this.opts.selfNodeId)}&spec=${spec}`,
      target.nodeUrl,
    );
    // The relay is an HTTP/1.1 upgrade, which the HTTPS listener (HTTP/2) does not offer.
    if (url.protocol !== 'http:')
      return this.#finish(1, null, `the transcode relay needs an http:// --node-url (${target.nodeId})`);
    const path = `${url.pathname}${url.search}`;
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: RELAY_PROTOCOL,
        [CLUSTER_AUTH_HEADER]: signClusterRequest(this.opts.secret, { method: 'POST', path, unsignedBody: true }),
      },
    });
    this.#request = req;
    // A timer of our own, not req.setTimeout: that one stays on the socket after the upgrade.
    const timer = setTimeout(() => req.destroy(new Error('no answer in time')), CONNECT_TIMEOUT_MS);
    req.on('error', (err) => {
      clearTimeout(timer);
      this.#finish(1, null, `relay to ${target.nodeId}: ${err.message}`);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 16 && chunks.push(c));
      res.on('end', () =>
        this.#finish(1, null, `relay refused by ${target.nodeId} (${res.statusCode}): ${Buffer.concat(chunks).toString('utf8')}`),
      );
    });
    req.on('upgrade', (_res, socket, head) => {
      clearTimeout(timer);
      this.#relay(socket, head, target);
    });
    req.end();
  }

  #relay(socket: Socket, head: Buffer, target: RelayTarget): void {
    this.#socket = socket;
    if (this.#closed) return void socket.destroy();
    this.opts.log.info({ node: target.nodeId }, 'transcode relay connected: ffmpeg runs on another node');
    const reader = new FrameReader((channel, payload) => {
      if (channel < this.outputs.length) this.outputs[channel]!.write(payload);
      else if (channel === STDERR_CHANNEL) this.stderr.write(payload);
      else if (channel === EXIT_CHANNEL) this.#exit = JSON.parse(payload.toString('utf8')) as ExitStatus;
    });
    const take = (chunk: Buffer): void => {
      try {
        reader.push(chunk);
      } catch (err) {
        this.opts.log.warn({ node: target.nodeId, err: String(err) }, 'transcode relay: unreadable answer');
        socket.destroy();
      }
    };
    if (head.length > 0) take(head);
    socket.on('data', take);
    socket.on('error', () => undefined); // shows up as 'close'
    socket.once('close', () => this.#finish(this.#exit?.code ?? null, this.#exit?.signal ?? null));
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    this.stdin.pipe(socket);
  }

  #finish(code: number | null, signal: NodeJS.Signals | null, why?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (why) this.opts.log.warn({ why }, 'transcode relay ended');
    this.stdin.unpipe();
    this.stdin.resume(); // drop what is still buffered
    for (const out of [...this.outputs, this.stderr]) out.end();
    // After the current tick: the Transcoder attaches its listeners right after launching.
    setImmediate(() => this.emit('close', code, signal));
  }
}
