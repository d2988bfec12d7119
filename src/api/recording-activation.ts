// The background half of CreateRecordingConfiguration: the configuration is stored CREATING, then its bucket is
// probed through the RecordingBuckets port and the stored document moves to ACTIVE or CREATE_FAILED, as in IVS.
// A configuration left CREATING by a crash or a stop is probed again at start (resume), so none stays CREATING.

import type { RecordingConfiguration } from '@aws-sdk/client-ivs';
import type { RecordingBuckets } from '../domain/ports.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';

export interface RecordingActivator {
  /** Starts probing the configuration's bucket in the background; never throws. */
  activate(arn: string): void;
}

const RESUME_PAGE = 100;

export class RecordingActivation implements RecordingActivator {
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly store: Store, private readonly buckets: RecordingBuckets, private readonly log: Logger) {}

  activate(arn: string): void {
    if (this.stopped || this.inFlight.has(arn)) return;
    const run = this.probeAndSettle(arn)
      .catch((err: unknown) => this.log.error({ err, arn }, 'recording configuration: could not settle its state'))
      .finally(() => this.inFlight.delete(arn));
    this.inFlight.set(arn, run);
  }

  /** Probes every configuration (all accounts and regions) still CREATING; returns how many. */
  async resume(): Promise<number> {
    let afterSeq = 0;
    let count = 0;
    for (;;) {
      const rows = await this.store.resources.listAllScopes<RecordingConfiguration>('recording-configuration', afterSeq, RESUME_PAGE);
      for (const row of rows) {
        if (row.doc.state !== 'CREATING') continue;
        this.activate(row.arn);
        count++;
      }
      if (rows.length < RESUME_PAGE) return count;
      afterSeq = rows[rows.length - 1]!.seq;
    }
  }

  /** Waits for probes in flight and starts no more (shutdown: the store closes next). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async probeAndSettle(arn: string): Promise<void> {
    const row = await this.store.resources.get<RecordingConfiguration>(arn);
    const bucket = row?.doc.destinationConfiguration?.s3?.bucketName;
    if (row === undefined || row.doc.state !== 'CREATING' || bucket === undefined) return;
    const result = await this.buckets.probe(bucket).catch((err: unknown) => ({ ok: false as const, reason: String(err) }));
    if (this.stopped) return; // left CREATING: resumed at the next start
    const state = result.ok ? 'ACTIVE' : 'CREATE_FAILED';
    const settled = await this.store.transaction(async (tx) => {
      // Re-read: the configuration may have been deleted while the probe ran.
      const current = await tx.resources.get<RecordingConfiguration>(arn);
      if (current === undefined || current.doc.state !== 'CREATING') return false;
      const { seq: _seq, ...rest } = current;
      return tx.resources.update({ ...rest, doc: { ...current.doc, state } });
    });
    if (!settled) return;
    if (result.ok) this.log.info({ arn, bucket }, 'recording configuration is ACTIVE');
    else this.log.warn({ arn, bucket, reason: result.reason }, 'recording configuration CREATE_FAILED');
  }
}
