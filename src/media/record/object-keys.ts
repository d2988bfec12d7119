// Validation of bucket names and object keys before they become paths or requests. The local destination maps
// them onto the filesystem, so anything that could climb out of the recordings directory ("..", absolute keys,
// backslashes, NUL) is refused here, not sanitized: a bad key is a recorder bug and should fail loudly.

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

export class InvalidObjectNameError extends Error {
  override name = 'InvalidObjectNameError';
}

/** S3 bucket naming rules (3-63 chars, lowercase, digits, dots, hyphens; no "..", not an IP address). */
export function checkBucketName(bucket: string): void {
  if (!BUCKET_RE.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw new InvalidObjectNameError(`invalid bucket name ${JSON.stringify(bucket.slice(0, 70))}`);
  }
}

/** A relative key of non-empty segments, none of them "." or "..", without backslashes or control characters. */
export function checkObjectKey(key: string): void {
  const bad = (why: string): never => {
    throw new InvalidObjectNameError(`invalid object key ${JSON.stringify(key.slice(0, 200))}: ${why}`);
  };
  if (key === '') bad('empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) bad(`longer than ${MAX_KEY_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) bad('control character or backslash');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') bad('empty, "." or ".." path segment');
  }
}
