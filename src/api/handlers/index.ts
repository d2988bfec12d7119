// The operation table: every operation of the served model maps to a handler or to an explicit
// "not implemented" entry (a test checks the table against the model). Handlers are plain functions
// `(deps, input, ctx) => output` with no HTTP in them.

import type { RequestContext } from '../../domain/context.js';
import type { HandlerDeps } from './support.js';
import * as channels from './channels.js';
import * as streamKeys from './stream-keys.js';
import * as recordings from './recording-configurations.js';
import * as keyPairs from './playback-key-pairs.js';
import * as policies from './playback-restriction-policies.js';
import * as tags from './tags.js';
import * as streams from './streams.js';
import * as revocations from './viewer-revocations.js';

// Inputs arrive validated against the model, so handlers may type them precisely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (deps: HandlerDeps, input: any, ctx: RequestContext) => Promise<unknown>;

/** Why an operation is not served yet, shown in its error and in the README's compatibility table. */
export interface NotImplemented {
  notImplemented: string;
}

export const OPERATIONS = {
  CreateChannel: channels.createChannel,
  GetChannel: channels.getChannel,
  BatchGetChannel: channels.batchGetChannel,
  ListChannels: channels.listChannels,
  UpdateChannel: channels.updateChannel,
  DeleteChannel: channels.deleteChannel,
  CreateStreamKey: streamKeys.createStreamKey,
  GetStreamKey: streamKeys.getStreamKey,
  BatchGetStreamKey: streamKeys.batchGetStreamKey,
  ListStreamKeys: streamKeys.listStreamKeys,
  DeleteStreamKey: streamKeys.deleteStreamKey,
  CreateRecordingConfiguration: recordings.createRecordingConfiguration,
  GetRecordingConfiguration: recordings.getRecordingConfiguration,
  ListRecordingConfigurations: recordings.listRecordingConfigurations,
  DeleteRecordingConfiguration: recordings.deleteRecordingConfiguration,
  ImportPlaybackKeyPair: keyPairs.importPlaybackKeyPair,
  GetPlaybackKeyPair: keyPairs.getPlaybackKeyPair,
  ListPlaybackKeyPairs: keyPairs.listPlaybackKeyPairs,
  DeletePlaybackKeyPair: keyPairs.deletePlaybackKeyPair,
  CreatePlaybackRestrictionPolicy: policies.createPlaybackRestrictionPolicy,
  GetPlaybackRestrictionPolicy: policies.getPlaybackRestrictionPolicy,
  ListPlaybackRestrictionPolicies: policies.listPlaybackRestrictionPolicies,
  UpdatePlaybackRestrictionPolicy: policies.updatePlaybackRestrictionPolicy,
  DeletePlaybackRestrictionPolicy: policies.deletePlaybackRestrictionPolicy,
  ListTagsForResource: tags.listTagsForResource,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  GetStream: streams.getStream,
  ListStreams: streams.listStreams,
  StopStream: streams.stopStream,
  PutMetadata: streams.putMetadata,
  GetStreamSession: streams.getStreamSession,
  ListStreamSessions: streams.listStreamSessions,
  StartViewerSessionRevocation: revocations.startViewerSessionRevocation,
  BatchStartViewerSessionRevocation: revocations.batchStartViewerSessionRevocation,
  CreateAdConfiguration: { notImplemented: 'server-side ad insertion is not planned yet' },
  GetAdConfiguration: { notImplemented: 'server-side ad insertion is not planned yet' },
  ListAdConfigurations: { notImplemented: 'server-side ad insertion is not planned yet' },
  DeleteAdConfiguration: { notImplemented: 'server-side ad insertion is not planned yet' },
  InsertAdBreak: { notImplemented: 'server-side ad insertion is not planned yet' },
} satisfies Record<string, Handler | NotImplemented>;

export type OperationName = keyof typeof OPERATIONS;

export function lookupOperation(name: string): Handler | NotImplemented | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, name)
    ? (OPERATIONS as Record<string, Handler | NotImplemented>)[name]
    : undefined;
}
