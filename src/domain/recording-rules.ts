// IVS's defaults and cross-field rules for recording configurations. Pure functions.

import type { CreateRecordingConfigurationRequest, RenditionConfiguration, ThumbnailConfiguration } from '@aws-sdk/client-ivs';
import { validation } from './errors.js';

export interface RecordingSettings {
  thumbnailConfiguration: ThumbnailConfiguration;
  recordingReconnectWindowSeconds: number;
  renditionConfiguration: RenditionConfiguration;
}

export function recordingSettings(input: CreateRecordingConfigurationRequest): RecordingSettings {
  if (!input.destinationConfiguration?.s3?.bucketName) {
    throw validation('destinationConfiguration.s3.bucketName is required');
  }
  return {
    thumbnailConfiguration: thumbnails(input.thumbnailConfiguration),
    recordingReconnectWindowSeconds: input.recordingReconnectWindowSeconds ?? 0,
    renditionConfiguration: renditions(input.renditionConfiguration),
  };
}

function thumbnails(given: ThumbnailConfiguration | undefined): ThumbnailConfiguration {
  const recordingMode = given?.recordingMode ?? 'INTERVAL';
  if (recordingMode === 'DISABLED' && given?.targetIntervalSeconds !== undefined) {
    throw validation('thumbnailConfiguration.targetIntervalSeconds can only be set when recordingMode is INTERVAL');
  }
  const storage = given?.storage ?? ['SEQUENTIAL'];
  if (new Set(storage).size !== storage.length) {
    throw validation('thumbnailConfiguration.storage must not repeat a value');
  }
  return {
    recordingMode,
    ...(recordingMode === 'INTERVAL' ? { targetIntervalSeconds: given?.targetIntervalSeconds ?? 60 } : {}),
    ...(given?.resolution ? { resolution: given.resolution } : {}),
    storage,
  };
}

function renditions(given: RenditionConfiguration | undefined): RenditionConfiguration {
  const renditionSelection = given?.renditionSelection ?? 'ALL';
  const list = given?.renditions ?? [];
  if (renditionSelection === 'CUSTOM' && list.length === 0) {
    throw validation('renditionConfiguration.renditions is required when renditionSelection is CUSTOM');
  }
  if (renditionSelection !== 'CUSTOM' && list.length > 0) {
    throw validation('renditionConfiguration.renditions can only be set when renditionSelection is CUSTOM');
  }
  return { renditionSelection, renditions: [...new Set(list)] };
}
