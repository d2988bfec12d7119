// The background half of CreateRecordingConfiguration: the configuration is stored CREATING, then its bucket is
// probed through the RecordingBuckets port and the stored document moves to ACTIVE or CREATE_FAILED, as in IVS.
// A configuration left CREATING by a crash or a stop is probed again at start (resume), so none stays CREATING.

import type { RecordingConfiguration } from '@aws-sdk/client-ivs';
import type { BucketProbeResult, RecordingBuckets } from '../domain/ports.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';

export interface RecordingActivator {
  /** Starts probing the configuration's bucket in the background; never throws. */
  activate(arn: string): void;
}

const RESUME_PAGE = 100;
/** A probe with no answer by then fails the configuration (an endpoint that accepts connections and never answers). */
const PROBE_TIMEOUT_MS = 30_000;

export class RecordingActivation implements RecordingActivator {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Store writes under way; stop() waits for these only, not for probes (a hung endpoint must not stall shutdown). */
  private readonly writes = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly buckets: RecordingBuckets,
    private readonly log: Logger,
  ) {}

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
      const rows = await this.store.resources.listAllScopes<RecordingConfiguration>(
        'recording-configuration',
        afterSeq,
        RESUME_PAGE,
      );
      for (const row of rows) {
        if (row.doc.state !== 'CREATING') continue;
        this.activate(row.arn);
        count++;
      }
      if (rows.length < RESUME_PAGE) return count;
      afterSeq = rows[rows.length - 1]!.seq;
    }
  }

  /** Starts no more probes and waits for state writes under way (shutdown: the store closes next). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.writes]);
  }

  private async probeAndSettle(arn: string): Promise<void> {
    const row = await this.store.resources.get<RecordingConfiguration>(arn);
    const bucket = row?.doc.destinationConfiguration?.s3?.bucketName;
    if (row === undefined || row.doc.state !== 'CREATING' || bucket === undefined) return;
    const result = await probeWithDeadline(this.buckets, bucket);
    if (this.stopped) return; // left CREATING: resumed at the next start
    const state = result.ok ? 'ACTIVE' : 'CREATE_FAILED';
    const write = this.store.transaction(async (tx) => {
      // Re-read: the configuration may have been deleted while the probe ran.
      const current = await tx.resources.get<RecordingConfiguration>(arn);
      if (current === undefined || current.doc.state !== 'CREATING') return false;
      const { seq: _seq, ...rest } = current;
      return tx.resources.update({ ...rest, doc: { ...current.doc, state } });
    });
    this.writes.add(write);
    const settled = await write.finally(() => this.writes.delete(write));
    if (!settled) return;
    if (result.ok) this.log.info({ arn, bucket }, 'recording configuration is ACTIVE');
    else this.log.warn({ arn, bucket, reason: result.reason }, 'recording configuration CREATE_FAILED');
  }
}

async function probeWithDeadline(buckets: RecordingBuckets, bucket: string): Promise<BucketProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<BucketProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` }), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([
      buckets.probe(bucket).catch((err: unknown) => ({ ok: false as const, reason: String(err) })),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
