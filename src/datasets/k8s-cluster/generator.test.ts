import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { BenchpilotError } from '../../protocol/errors.js';
import {
  DEFAULT_END_MS,
  type K8sClusterDataset,
  k8sClusterDataset,
  samplesPerSeries,
  seriesCount,
} from './generator.js';
import { PRESETS } from './presets.js';

/** sha256 of every series' samples in series order (independent of how the range is windowed). */
function fingerprint(ds: K8sClusterDataset, windowMs: number): string {
  const perSeries = ds.series.map(() => new Float64Array(ds.samplesPerSeries));
  for (const w of ds.windows(windowMs)) {
    for (let s = 0; s < ds.seriesCount; s++) {
      perSeries[s]!.set(w.values.subarray(s * w.count, (s + 1) * w.count), w.firstSample);
    }
  }
  const hash = createHash('sha256');
  for (const s of ds.series) hash.update(JSON.stringify(s.labels));
  for (const a of perSeries) hash.update(new Uint8Array(a.buffer));
  return hash.digest('hex');
}

test('the same seed gives byte-identical data, however it is windowed; another seed gives other data', () => {
  const a = fingerprint(k8sClusterDataset({ preset: 'tiny', seed: 42 }), 3_600_000);
  const b = fingerprint(k8sClusterDataset({ preset: 'tiny', seed: 42 }), 7 * 60_000 + 5_000);
  const c = fingerprint(k8sClusterDataset({ preset: 'tiny', seed: 43 }), 3_600_000);
  assert.equal(a, b);
  assert.notEqual(a, c);
  // Iterating twice from the same dataset object starts over.
  const ds = k8sClusterDataset({ preset: 'tiny', seed: 42 });
  assert.equal(fingerprint(ds, 600_000), fingerprint(ds, 600_000));
});

test('totalSamples equals the samples produced; windows are in time order, each series increasing', () => {
  const ds = k8sClusterDataset({ preset: 'tiny' });
  assert.equal(ds.totalSamples, 94_080);
  assert.equal(ds.endMs, DEFAULT_END_MS);
  assert.equal(ds.startMs, DEFAULT_END_MS - 2 * 3_600_000);
  let produced = 0;
  let lastTimestamp = -Infinity;
  let next = 0;
  let windows = 0;
  for (const w of ds.windows(25 * 60_000)) {
    windows++;
    assert.equal(w.timestamps.length, w.count);
    assert.equal(w.values.length, w.samples);
    assert.equal(w.samples, ds.seriesCount * w.count);
    assert.equal(w.firstSample, next);
    for (let j = 0; j < w.count; j++) {
      const t = w.timestamps[j]!;
      assert.ok(t > lastTimestamp, 'time order across windows');
      assert.ok(t >= w.startMs && t < w.endMs);
      assert.equal(t, ds.startMs + (next + j) * ds.intervalMs);
      lastTimestamp = t;
    }
    next += w.count;
    produced += w.samples;
  }
  assert.equal(windows, 5);
  assert.equal(produced, ds.totalSamples);
  assert.equal(next, ds.samplesPerSeries);
  assert.equal(lastTimestamp, ds.endMs - ds.intervalMs);
});

test('preset sizes: tiny < 100k, default within 10% of 20M (from the formula), small and large pinned', () => {
  const sizes = Object.fromEntries(
    Object.entries(PRESETS).map(([name, k]) => [name, seriesCount(k) * samplesPerSeries(k)]),
  );
  assert.deepEqual(sizes, { tiny: 94_080, small: 1_022_400, default: 19_975_680, large: 182_891_520 });
  assert.ok(sizes.tiny! < 100_000);
  assert.ok(Math.abs(sizes.default! - 20e6) / 20e6 < 0.1);
  const ds = k8sClusterDataset();
  assert.equal(ds.preset, 'default');
  assert.equal(ds.samplesPerSeries, 5760);
  assert.equal(ds.seriesCount, 3468);
  assert.equal(ds.series.length, 3468);
  assert.equal(ds.totalSamples, 19_975_680);
  assert.match(ds.describe(), /3,468 series × 5,760 samples \(1 d at 15 s\) = 19,975,680 samples/);
});

test('knobs override the preset and change the size by the formula', () => {
  const ds = k8sClusterDataset({
    preset: 'tiny',
    podsPerService: 3,
    extraMetricsPerContainer: 0,
    days: 1 / 24,
  });
  // nodes 2·(2·8+2) + pods 6·24 + containers 12·6
  assert.equal(ds.seriesCount, 36 + 144 + 72);
  assert.equal(ds.samplesPerSeries, 240);
  const start = Date.UTC(2026, 0, 1);
  const fixed = k8sClusterDataset({ preset: 'tiny', startMs: start });
  assert.equal(fixed.startMs, start);
  assert.equal(fixed.endMs, start + 2 * 3_600_000);
});

test('validation: scrape intervals that leave rate(x[5m]) empty, bad numbers, unknown options', () => {
  const code = (options: object, expected: string, message?: RegExp) =>
    assert.throws(
      () => k8sClusterDataset(options),
      (e: unknown) =>
        e instanceof BenchpilotError &&
        e.code === expected &&
        (message === undefined || message.test(e.message)),
    );
  code({ scrapeIntervalSeconds: 300 }, 'BP_SPEC_INVALID_VALUE', /rate\(x\[5m\]\) would be empty/);
  code({ scrapeIntervalSeconds: 61 }, 'BP_SPEC_INVALID_VALUE', /at most 60 s/);
  code({ scrapeIntervalSeconds: 0 }, 'BP_SPEC_INVALID_VALUE');
  code({ podsPerService: 0 }, 'BP_SPEC_INVALID_VALUE', /podsPerService/);
  code({ regions: 1.5 }, 'BP_SPEC_INVALID_VALUE', /regions/);
  code({ days: -1 }, 'BP_SPEC_INVALID_VALUE', /days/);
  code({ days: 1e-6 }, 'BP_SPEC_INVALID_VALUE', /shorter than one scrape interval/);
  code({ preset: 'huge' }, 'BP_SPEC_INVALID_VALUE', /tiny, small, default, large/);
  code({ seed: 0.5 }, 'BP_SPEC_INVALID_VALUE', /seed/);
  code({ startMs: 1001 }, 'BP_SPEC_INVALID_VALUE', /multiple of the interval/);
  code({ startMs: 0, endMs: 15_000 }, 'BP_SPEC_INVALID_VALUE', /give one of them/);
  code({ pods: 3 }, 'BP_SPEC_UNKNOWN_FIELD', /pods is not an option/);
  assert.doesNotThrow(() => k8sClusterDataset({ scrapeIntervalSeconds: 60, preset: 'tiny' }));
  const ds = k8sClusterDataset({ preset: 'tiny' });
  assert.throws(() => ds.windows(0), /positive whole number/);
});
