// AMF0 bodies of what the server says to a publisher: command results, errors and onStatus events.
// Only the fields encoders actually read are sent (ffmpeg: level/code/description; librtmp: code).

import type { AmfObject, AmfValue } from './amf0.js';
import { encodeAmf0 } from './amf0-encode.js';

export type StatusLevel = 'status' | 'error' | 'warning';

export function resultPayload(txn: number, ...values: AmfValue[]): Buffer {
  return encodeAmf0('_result', txn, ...values);
}

export function connectResultPayload(txn: number): Buffer {
  return resultPayload(
    txn,
    { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 },
    { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 },
  );
}

export function errorPayload(txn: number, code: string, description: string): Buffer {
  return encodeAmf0('_error', txn, null, { level: 'error', code, description });
}

export function statusPayload(level: StatusLevel, code: string, description: string, extra?: AmfObject): Buffer {
  return encodeAmf0('onStatus', 0, null, { level, code, description, ...extra });
}

/** FMS's answer to FCPublish, sent once publishing is actually authorized. */
export function fcPublishPayload(description: string): Buffer {
  return encodeAmf0('onFCPublish', 0, null, { code: 'NetStream.Publish.Start', description });
}
