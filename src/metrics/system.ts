// Figures of the machinery behind the streams, read at scrape: transcode slots and ffmpeg restarts, the recording
// spool on disk and its upload queues, the event outbox and its failed deliveries.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventDelivery, RecordingQueues, TranscodeSlots } from './ports.js';

export interface SystemSources {
  transcoding?: TranscodeSlots;
  recorder?: RecordingQueues;
  /** The recording spool directory (`<dataDir>/record-spool`). */
  spoolRoot?: string;
  events?: EventDelivery;
}

/** Spool files are few (the open segments of recordings and what waits for upload); the walk is bounded anyway. */
const MAX_SPOOL_ENTRIES = 50_000;

export async function directoryBytes(root: string, budget = { entries: MAX_SPOOL_ENTRIES }): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return 0; // no spool yet (nothing recorded), or it went away meanwhile
  }
  for (const entry of entries) {
    if (--budget.entries < 0) break;
    const path = join(root, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path, budget);
    else if (entry.isFile())
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

export class SystemMetrics {
  private readonly restarts: Counter;

  constructor(register: Registry, sources: SystemSources) {
    const { transcoding, recorder, spoolRoot, events } = sources;
    const registers = [register];
    new Gauge({
      name: 'openivs_transcode_slots_in_use',
      help: 'STANDARD streams being transcoded (each holds a slot; --max-transcodes is the capacity).',
      registers,
      collect() {
        this.set(transcoding?.slotsInUse ?? 0);
      },
    });
    new Gauge({
      name: 'openivs_transcode_slots',
      help: 'Transcode slots (--max-transcodes).',
      registers,
      collect() {
        this.set(transcoding?.slots ?? 0);
      },
    });
    this.restarts = new Counter({
      name: 'openivs_transcoder_restarts_total',
      help: 'ffmpeg transcoder restarts after a crash or unreadable output.',
      registers,
    });
    new Gauge({
      name: 'openivs_recording_spool_bytes',
      help: 'Bytes in the recording spool on local disk (open segments and files waiting for upload).',
      registers,
      async collect() {
        this.set(spoolRoot === undefined ? 0 : await directoryBytes(spoolRoot));
      },
    });
    new Gauge({
      name: 'openivs_recording_upload_queue_depth',
      help: 'Recording files and metadata waiting for upload to the destination.',
      registers,
      collect() {
        this.set(recorder?.uploadQueueDepth ?? 0);
      },
    });
    new Counter({
      name: 'openivs_recording_upload_failures_total',
      help: 'Failed recording upload attempts (each retry counts).',
      registers,
      collect() {
        this.reset();
        this.inc(recorder?.uploadFailures ?? 0);
      },
    });
    new Gauge({
      name: 'openivs_event_outbox_depth',
      help: 'Events in the outbox not yet delivered to every sink.',
      registers,
      async collect() {
        this.set(events === undefined ? 0 : await events.outboxDepth());
      },
    });
    new Counter({
      name: 'openivs_event_delivery_failures_total',
      help: 'Failed event deliveries by sink and outcome (retried, abandoned after the retry window).',
      labelNames: ['sink', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const [sink, f] of events?.failures ?? []) {
          this.inc({ sink, outcome: 'retried' }, f.retried);
          this.inc({ sink, outcome: 'abandoned' }, f.abandoned);
        }
      },
    });
  }

  readonly transcoderRestarted = (): void => this.restarts.inc();
}
