// The operation table: every operation of the served model maps to a handler or to an explicit
// "not implemented" entry (a test checks the table against the model). Handlers are plain functions
// `(deps, input, ctx) => output` with no HTTP in them, each typed with its operation's input and output as the
// model's generated client (@aws-sdk/client-ivs) names them, so a handler filed under the wrong operation, or
// answering the wrong shape, does not compile.

import type * as ivs from '@aws-sdk/client-ivs';
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
import * as adConfigurations from './ad-configurations.js';
import * as adBreaks from './ad-breaks.js';

/** An operation's input and output types. */
type Io<Input, Output> = { input: Input; output: Output };

/** The served operations' types. */
interface Served {
  CreateChannel: Io<ivs.CreateChannelCommandInput, ivs.CreateChannelCommandOutput>;
  GetChannel: Io<ivs.GetChannelCommandInput, ivs.GetChannelCommandOutput>;
  BatchGetChannel: Io<ivs.BatchGetChannelCommandInput, ivs.BatchGetChannelCommandOutput>;
  ListChannels: Io<ivs.ListChannelsCommandInput, ivs.ListChannelsCommandOutput>;
  UpdateChannel: Io<ivs.UpdateChannelCommandInput, ivs.UpdateChannelCommandOutput>;
  DeleteChannel: Io<ivs.DeleteChannelCommandInput, ivs.DeleteChannelCommandOutput>;
  CreateStreamKey: Io<ivs.CreateStreamKeyCommandInput, ivs.CreateStreamKeyCommandOutput>;
  GetStreamKey: Io<ivs.GetStreamKeyCommandInput, ivs.GetStreamKeyCommandOutput>;
  BatchGetStreamKey: Io<ivs.BatchGetStreamKeyCommandInput, ivs.BatchGetStreamKeyCommandOutput>;
  ListStreamKeys: Io<ivs.ListStreamKeysCommandInput, ivs.ListStreamKeysCommandOutput>;
  DeleteStreamKey: Io<ivs.DeleteStreamKeyCommandInput, ivs.DeleteStreamKeyCommandOutput>;
  CreateRecordingConfiguration: Io<ivs.CreateRecordingConfigurationCommandInput, ivs.CreateRecordingConfigurationCommandOutput>;
  GetRecordingConfiguration: Io<ivs.GetRecordingConfigurationCommandInput, ivs.GetRecordingConfigurationCommandOutput>;
  ListRecordingConfigurations: Io<ivs.ListRecordingConfigurationsCommandInput, ivs.ListRecordingConfigurationsCommandOutput>;
  DeleteRecordingConfiguration: Io<ivs.DeleteRecordingConfigurationCommandInput, ivs.DeleteRecordingConfigurationCommandOutput>;
  ImportPlaybackKeyPair: Io<ivs.ImportPlaybackKeyPairCommandInput, ivs.ImportPlaybackKeyPairCommandOutput>;
  GetPlaybackKeyPair: Io<ivs.GetPlaybackKeyPairCommandInput, ivs.GetPlaybackKeyPairCommandOutput>;
  ListPlaybackKeyPairs: Io<ivs.ListPlaybackKeyPairsCommandInput, ivs.ListPlaybackKeyPairsCommandOutput>;
  DeletePlaybackKeyPair: Io<ivs.DeletePlaybackKeyPairCommandInput, ivs.DeletePlaybackKeyPairCommandOutput>;
  CreatePlaybackRestrictionPolicy: Io<
    ivs.CreatePlaybackRestrictionPolicyCommandInput,
    ivs.CreatePlaybackRestrictionPolicyCommandOutput
  >;
  GetPlaybackRestrictionPolicy: Io<ivs.GetPlaybackRestrictionPolicyCommandInput, ivs.GetPlaybackRestrictionPolicyCommandOutput>;
  ListPlaybackRestrictionPolicies: Io<
    ivs.ListPlaybackRestrictionPoliciesCommandInput,
    ivs.ListPlaybackRestrictionPoliciesCommandOutput
  >;
  UpdatePlaybackRestrictionPolicy: Io<
    ivs.UpdatePlaybackRestrictionPolicyCommandInput,
    ivs.UpdatePlaybackRestrictionPolicyCommandOutput
  >;
  DeletePlaybackRestrictionPolicy: Io<
    ivs.DeletePlaybackRestrictionPolicyCommandInput,
    ivs.DeletePlaybackRestrictionPolicyCommandOutput
  >;
  ListTagsForResource: Io<ivs.ListTagsForResourceCommandInput, ivs.ListTagsForResourceCommandOutput>;
  TagResource: Io<ivs.TagResourceCommandInput, ivs.TagResourceCommandOutput>;
  UntagResource: Io<ivs.UntagResourceCommandInput, ivs.UntagResourceCommandOutput>;
  GetStream: Io<ivs.GetStreamCommandInput, ivs.GetStreamCommandOutput>;
  ListStreams: Io<ivs.ListStreamsCommandInput, ivs.ListStreamsCommandOutput>;
  StopStream: Io<ivs.StopStreamCommandInput, ivs.StopStreamCommandOutput>;
  PutMetadata: Io<ivs.PutMetadataCommandInput, ivs.PutMetadataCommandOutput>;
  GetStreamSession: Io<ivs.GetStreamSessionCommandInput, ivs.GetStreamSessionCommandOutput>;
  ListStreamSessions: Io<ivs.ListStreamSessionsCommandInput, ivs.ListStreamSessionsCommandOutput>;
  StartViewerSessionRevocation: Io<ivs.StartViewerSessionRevocationCommandInput, ivs.StartViewerSessionRevocationCommandOutput>;
  BatchStartViewerSessionRevocation: Io<
    ivs.BatchStartViewerSessionRevocationCommandInput,
    ivs.BatchStartViewerSessionRevocationCommandOutput
  >;
  CreateAdConfiguration: Io<ivs.CreateAdConfigurationCommandInput, ivs.CreateAdConfigurationCommandOutput>;
  GetAdConfiguration: Io<ivs.GetAdConfigurationCommandInput, ivs.GetAdConfigurationCommandOutput>;
  ListAdConfigurations: Io<ivs.ListAdConfigurationsCommandInput, ivs.ListAdConfigurationsCommandOutput>;
  DeleteAdConfiguration: Io<ivs.DeleteAdConfigurationCommandInput, ivs.DeleteAdConfigurationCommandOutput>;
  InsertAdBreak: Io<ivs.InsertAdBreakCommandInput, ivs.InsertAdBreakCommandOutput>;
}

/** The output without the client's response metadata; an operation whose output has no members may answer nothing. */
type Answer<Output> = keyof Omit<Output, '$metadata'> extends never
  ? Omit<Output, '$metadata'> | void
  : Omit<Output, '$metadata'>;

/**
 * The handler of one served operation: a promise, or the answer itself when it has it at once (a read from memory,
 * e.g. GetChannel), which saves the promise and its turn of the microtask queue.
 */
type Handler<Name extends keyof Served> = (
  deps: HandlerDeps,
  input: Served[Name]['input'],
  ctx: RequestContext,
) => Answer<Served[Name]['output']> | Promise<Answer<Served[Name]['output']>>;

/** A handler of whichever served operation. */
type SomeHandler = (deps: HandlerDeps, input: never, ctx: RequestContext) => unknown;

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
  CreateAdConfiguration: adConfigurations.createAdConfiguration,
  GetAdConfiguration: adConfigurations.getAdConfiguration,
  ListAdConfigurations: adConfigurations.listAdConfigurations,
  DeleteAdConfiguration: adConfigurations.deleteAdConfiguration,
  InsertAdBreak: adBreaks.insertAdBreak,
} satisfies { [Name in keyof Served]: Handler<Name> } & Record<string, SomeHandler | NotImplemented>;

/**
 * A served handler as the pipeline calls it: with the input the protocol layer decoded and validated against the
 * operation's input shape in the model, which is what the handler's input type describes.
 */
export type DecodedHandler = (deps: HandlerDeps, input: Record<string, unknown>, ctx: RequestContext) => unknown;

export function lookupOperation(name: string): DecodedHandler | NotImplemented | undefined {
  if (!Object.prototype.hasOwnProperty.call(OPERATIONS, name)) return undefined;
  // The one place decoded input meets its operation's type; the model's validation is what vouches for it.
  return OPERATIONS[name as keyof typeof OPERATIONS] as DecodedHandler | NotImplemented;
}
