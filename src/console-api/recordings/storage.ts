// Chooses how recordings are read back, the same way media/record/destinations.ts chooses where they are written:
// local disk under <dataDir>/recordings, or S3 with the configured endpoint, region and credentials.

import { join } from 'node:path';
import type { RecordingStorageConfig } from '../../config/types.js';
import { LocalRecordingObjects } from './local-objects.js';
import type { RecordingObjects } from './objects.js';
import { S3RecordingObjects } from './s3-objects.js';

export function recordingObjects(config: RecordingStorageConfig, dataDir: string): RecordingObjects {
  if (config.kind === 'local') return new LocalRecordingObjects(join(dataDir, 'recordings'));
  return new S3RecordingObjects({ endpoint: config.endpoint, region: config.region, credentials: config.credentials });
}
