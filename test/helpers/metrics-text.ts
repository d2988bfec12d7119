// Reading openivs's GET /metrics (the Prometheus text format) in tests: scrape it from loopback, and pick out a
// metric's samples with their labels.

import assert from 'node:assert/strict';

export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

export async function scrapeMetrics(serverUrl: string): Promise<string> {
  const res = await fetch(`${serverUrl}/metrics`);
  assert.equal(res.status, 200, `GET /metrics answered ${res.status}`);
  return res.text();
}

/** Every sample of the metric `name` (exactly that name: no _bucket/_sum/_count unless asked) in the text. */
export function samplesOf(text: string, name: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

/** The value of an unlabelled metric, or undefined when absent. */
export function valueOf(text: string, name: string): number | undefined {
  return samplesOf(text, name).find((s) => Object.keys(s.labels).length === 0)?.value;
}
