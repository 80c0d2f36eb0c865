/**
 * Backfills a windowed dataset: window by window (oldest first), each window cut into requests of
 * at most `maxSamples` samples that are sent concurrently (the sender bounds it); the next window
 * starts only when every request of this one is done, so each series' samples arrive in time order.
 */
import type { Window } from '../../datasets/k8s-cluster/index.js';
import { type EncodableSeries, WriteRequestEncoder } from './encode.js';
import type { RemoteWriteSender } from './sender.js';

export interface SeedSource {
  readonly series: readonly EncodableSeries[];
  windows(windowMs: number): Iterable<Window>;
}

export interface SeedOptions {
  /** Default 1 hour. */
  readonly windowMs?: number;
  /** Samples per request. Default 2,000 × 10 (about Prometheus' own max_samples_per_send × 10). */
  readonly maxSamples?: number;
  /** Stop at the first request that failed for good (default), or count it and go on. */
  readonly stopOnError?: boolean;
  /** Called after each window. */
  readonly onWindow?: (w: Window, samplesDone: number) => void;
}

export async function seedDataset(
  source: SeedSource,
  sender: RemoteWriteSender,
  options: SeedOptions = {},
): Promise<{ samples: number; requests: number; errors: number }> {
  const encoder = new WriteRequestEncoder(source.series);
  const maxSamples = options.maxSamples ?? 20_000;
  const stopOnError = options.stopOnError ?? true;
  let samples = 0;
  let requests = 0;
  let errors = 0;
  for (const w of source.windows(options.windowMs ?? 3_600_000)) {
    const pending: Promise<void>[] = [];
    let firstError: unknown;
    for (const req of encoder.batches(w, maxSamples)) {
      requests++;
      samples += req.samples;
      pending.push(
        sender.send(req).catch((err: unknown) => {
          errors++;
          firstError ??= err;
        }),
      );
    }
    await Promise.all(pending);
    if (firstError !== undefined && stopOnError) throw firstError;
    options.onWindow?.(w, samples);
  }
  return { samples, requests, errors };
}
