// NetConnection / NetStream command dispatch (AMF0 command messages) for a publisher. Enforces the order
// connect → (releaseStream, FCPublish) → createStream → publish, answers the calls encoders wait for, and
// refuses playback: openivs never serves RTMP to viewers. The host (the connection) owns the socket and
// the publish flow; this module decides what to say and which of the host's operations to invoke.

import type { AmfObject, AmfValue } from './amf0.js';
import { IngestProtocolError } from './errors.js';
import type { IngestConfig } from './ingest-config.js';
import { normalizeApp } from './log-safe.js';
import { CSID, MSG, peerBandwidthPayload, uint32Payload } from './messages.js';
import type { PublishEndReason } from './ports.js';
import { connectResultPayload, errorPayload, resultPayload, statusPayload } from './replies.js';

export interface CommandHost {
  readonly connected: boolean;
  readonly config: Pick<IngestConfig, 'apps' | 'windowAckSize' | 'outChunkSize'>;
  /** Marks the connection connected to `app` (already validated). */
  accept(app: string): void;
  send(csid: number, type: number, streamId: number, payload: Buffer): void;
  setOutChunkSize(size: number): void;
  close(reason: PublishEndReason, detail: string, graceful: boolean): void;
  readonly flow: {
    markFcPublish(): void;
    publish(name: string, streamId: number): void;
    unpublish(): void;
  };
}

/** The NetStream id handed out by createStream; one stream per connection is all a publisher needs. */
export const PUBLISH_STREAM_ID = 1;

export function handleCommand(host: CommandHost, values: AmfValue[], streamId: number): void {
  const [name, rawTxn, cmdObj] = values;
  if (typeof name !== 'string') throw new IngestProtocolError('command message without a command name');
  const txn = typeof rawTxn === 'number' && Number.isFinite(rawTxn) ? rawTxn : 0;
  if (name === 'connect') return connect(host, txn, cmdObj);
  if (!host.connected) throw new IngestProtocolError(`'${safeName(name)}' before connect`);
  switch (name) {
    case 'releaseStream':
      return reply(host, resultPayload(txn, null, undefined));
    case 'FCPublish':
      host.flow.markFcPublish();
      return reply(host, resultPayload(txn, null, undefined));
    case 'createStream':
      return reply(host, resultPayload(txn, null, PUBLISH_STREAM_ID));
    case 'publish':
      return host.flow.publish(typeof values[3] === 'string' ? values[3] : '', streamId);
    case 'FCUnpublish':
    case 'closeStream':
    case 'deleteStream':
      return host.flow.unpublish();
    case 'play':
    case 'play2':
      host.send(CSID.STATUS, MSG.COMMAND_AMF0, streamId, statusPayload('error', 'NetStream.Play.Failed', NO_PLAYBACK));
      return host.close('error', 'playback requested', true);
    case 'getStreamLength':
      return reply(host, errorPayload(txn, 'NetStream.Play.Failed', NO_PLAYBACK));
    default:
      return; // _checkbw, answers to our calls, unknown extensions: nothing to do
  }
}

const NO_PLAYBACK = 'openivs does not serve RTMP playback';

/** connect: check the application, then the control messages FMS sends before its _result. */
function connect(host: CommandHost, txn: number, cmdObj: AmfValue): void {
  if (host.connected) throw new IngestProtocolError('connect received twice');
  const obj = cmdObj !== null && typeof cmdObj === 'object' && !Array.isArray(cmdObj) ? (cmdObj as AmfObject) : {};
  const app = normalizeApp(typeof obj['app'] === 'string' ? obj['app'] : '');
  if (!host.config.apps.includes(app)) {
    reply(host, errorPayload(txn, 'NetConnection.Connect.Rejected', 'unknown application'));
    return host.close('error', 'connect to an unknown application', true);
  }
  host.accept(app);
  const { windowAckSize, outChunkSize } = host.config;
  host.send(CSID.CONTROL, MSG.WINDOW_ACK_SIZE, 0, uint32Payload(windowAckSize));
  host.send(CSID.CONTROL, MSG.SET_PEER_BANDWIDTH, 0, peerBandwidthPayload(windowAckSize, 2)); // 2 = dynamic
  host.send(CSID.CONTROL, MSG.SET_CHUNK_SIZE, 0, uint32Payload(outChunkSize));
  host.setOutChunkSize(outChunkSize); // larger chunks from here on: fewer headers for the peer to parse
  reply(host, connectResultPayload(txn));
}

function reply(host: CommandHost, payload: Buffer): void {
  host.send(CSID.COMMAND, MSG.COMMAND_AMF0, 0, payload);
}

/** Command names come from the peer: keep log lines short and printable. */
function safeName(name: string): string {
  return name.slice(0, 32).replace(/[^\x20-\x7e]/g, '?');
}
