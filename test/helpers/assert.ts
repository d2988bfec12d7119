// Shared assertions for API tests: SDK errors (name + HTTP status), raw error responses, id and ARN shapes.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { RawResponse } from './http.js';

export const ID_RE = /^[A-Za-z0-9]{12}$/;
export const ACCOUNT = '000000000000';
export const REGION = 'us-west-2';

export function arnRe(type: string, region = REGION, account = ACCOUNT): RegExp {
  return new RegExp(`^arn:aws:ivs:${region}:${account}:${type}/([A-Za-z0-9]{12})$`);
}

export function idOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $fault?: string;
  exceptionMessage?: string;
}

/** Awaits `p`, expects it to reject with the named AWS error and HTTP status; returns the error. */
export async function expectError(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<SdkError> {
  let caught: SdkError | undefined;
  try {
    await p;
  } catch (err) {
    caught = err as SdkError;
  }
  assert.ok(caught, `expected ${name} (${status}) but the call succeeded`);
  assert.equal(caught.name, name, `expected ${name}, got ${caught.name}: ${caught.message}`);
  assert.equal(caught.$metadata?.httpStatusCode, status, `${name}: expected HTTP ${status}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Checks an AWS rest-json error response: status, x-amzn-ErrorType, x-amzn-RequestId, body messages. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function expectRawError(res: RawResponse, type: string, status?: number): any {
  if (status !== undefined) assert.equal(res.status, status, `expected HTTP ${status} ${type}, got ${res.status}: ${res.text}`);
  assert.ok((res.status >= 400 && res.status < 500) || res.status === 501, `expected a 4xx, got ${res.status}: ${res.text}`);
  const errorType = String(res.headers['x-amzn-errortype'] ?? '').split(':')[0];
  assert.equal(errorType, type, `x-amzn-ErrorType: ${res.text}`);
  assert.ok(res.headers['x-amzn-requestid'], 'x-amzn-RequestId header present');
  const body = res.json();
  assert.equal(typeof body.exceptionMessage, 'string', `exceptionMessage in ${res.text}`);
  assert.equal(typeof body.message, 'string', `message in ${res.text}`);
  return body;
}

export function p384PublicKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function p256PublicKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function rsaPublicKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function isIsoDate(v: unknown): boolean {
  return v instanceof Date && !Number.isNaN(v.getTime());
}
