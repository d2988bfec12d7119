// Chooses the recording destination from the configuration: local disk under the data directory (the embedded
// default) or S3. Logs where recordings go, never the credentials.

import { join } from 'node:path';
import type { RecordingStorageConfig } from '../../config/types.js';
import type { Logger } from '../../logging.js';
import type { RecordingDestination } from './destination.js';
import { LocalRecordingDestination } from './local-destination.js';
import { S3RecordingDestination } from './s3-destination.js';

export function createRecordingDestination(config: RecordingStorageConfig, dataDir: string, log: Logger): RecordingDestination {
  if (config.kind === 'local') {
    const root = join(dataDir, 'recordings');
    log.info({ recordings: root }, 'recordings are written to local disk');
    return new LocalRecordingDestination(root);
  }
  log.info(
    {
      s3Endpoint: config.endpoint ?? 'AWS S3',
      s3Region: config.region,
      s3Credentials: config.credentials === undefined ? 'default AWS chain' : 'OPENIVS_S3_ACCESS_KEY_ID',
    },
    'recordings are written to S3',
  );
  return new S3RecordingDestination(config);
}
