/**
 * The promwrite sending path against a real Prometheus (Debian's 2.42, test/helpers/prometheus.ts):
 * the tiny k8s-cluster preset, ending a few hours before now, is backfilled window by window over
 * remote write 1.0, then checked with PromQL: every series, every sample, the counter resets the
 * generator made, and rate() over 5 minutes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { alignedEnd, k8sClusterDataset } from '../src/datasets/k8s-cluster/index.js';
import {
  RemoteWriteError,
  RemoteWriteSender,
  seedDataset,
  WriteRequestEncoder,
} from '../src/drivers/promwrite/index.js';
import { startPrometheus, type TestPrometheus } from './helpers/prometheus.js';

const HOUR = 3_600_000;

describe('promwrite → real Prometheus 2.42', { timeout: 120_000 }, () => {
  let prom: TestPrometheus;
  const ds = k8sClusterDataset({ preset: 'tiny', seed: 7, endMs: alignedEnd(Date.now()) - 3 * HOUR });
  const at = ds.endMs; // evaluation time: just after the last sample
  const range = `${Math.ceil((ds.endMs - ds.startMs) / HOUR) + 1}h`;

  before(async () => {
    prom = await startPrometheus();
  });
  after(async () => {
    await prom?.close();
  });

  test('the tiny preset is seeded window by window and every sample is stored', async () => {
    const sender = new RemoteWriteSender({ url: prom.remoteWriteUrl, concurrency: 4 });
    try {
      const result = await seedDataset(ds, sender, { windowMs: 20 * 60_000, maxSamples: 2_000 });
      assert.equal(result.samples, ds.totalSamples);
      assert.equal(result.errors, 0);
      assert.equal(sender.stats.samplesSent, ds.totalSamples, sender.stats.lastErrors.join('\n'));
      assert.equal(sender.stats.samplesRejected, 0);
    } finally {
      await sender.close();
    }
    const count = await prom.query('count({__name__=~".+"})', at);
    assert.equal(Number(count[0]?.value[1]), ds.seriesCount);
    // `sum(count_over_time({__name__=~".+"}[…]))` fails on 2.42 ("vector cannot contain metrics
    // with the same labelset": count_over_time drops __name__ and e.g. a container's gauges share
    // their labels), so: per metric name, summed here.
    let total = 0;
    for (const name of new Set(ds.series.map((s) => s.name))) {
      const r = await prom.query(`sum(count_over_time({__name__="${name}"}[${range}]))`, at);
      const n = Number(r[0]?.value[1]);
      assert.equal(n, ds.series.filter((s) => s.name === name).length * ds.samplesPerSeries, name);
      total += n;
    }
    assert.equal(total, ds.totalSamples);
  });

  test('resets() of a container counter equals the generator’s restarts of that container', async () => {
    // The container with the most restarts (a restart at the very first sample is no visible reset).
    const byContainer = new Map<string, number>();
    for (const r of ds.restarts) {
      if (r.sampleIndex === 0) continue;
      const key = `${r.pod}/${r.containerName}`;
      byContainer.set(key, (byContainer.get(key) ?? 0) + 1);
    }
    const [key, restarts] = [...byContainer].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    assert.ok(restarts >= 1, 'the tiny preset has restarts');
    const [pod, container] = key.split('/');
    const selector = `container_cpu_usage_seconds_total{pod="${pod}",container="${container}"}`;
    const resets = await prom.query(`resets(${selector}[${range}])`, at);
    assert.equal(resets.length, 1);
    assert.equal(Number(resets[0]!.value[1]), restarts);
    const kube = await prom.query(
      `max_over_time(kube_pod_container_status_restarts_total{pod="${pod}",container="${container}"}[${range}]) - min_over_time(kube_pod_container_status_restarts_total{pod="${pod}",container="${container}"}[${range}])`,
      at,
    );
    assert.equal(Number(kube[0]?.value[1]), restarts);
  });

  test('rate(container_cpu_usage_seconds_total[5m]) answers for every container', async () => {
    const rate = await prom.query('rate(container_cpu_usage_seconds_total[5m])', at - ds.intervalMs);
    assert.equal(rate.length, ds.topology.containers.length);
    for (const r of rate) {
      const v = Number(r.value[1]);
      assert.ok(Number.isFinite(v) && v >= 0, `rate ${v} for ${JSON.stringify(r.metric)}`);
    }
    assert.ok(rate.some((r) => Number(r.value[1]) > 0));
  });

  test('with the 30 d out-of-order window, samples older than the head are accepted; duplicates too', async () => {
    // A new series entirely before the seeded range (2 days before its start, inside the window).
    const encoder = new WriteRequestEncoder([
      {
        labels: [
          ['__name__', 'bp_ooo_probe'],
          ['job', 'test'],
        ],
      },
    ]);
    const ts = ds.startMs - 48 * HOUR;
    const w = {
      index: 0,
      startMs: ts,
      endMs: ts + 60_000,
      count: 4,
      firstSample: 0,
      timestamps: Float64Array.from([ts, ts + 15_000, ts + 30_000, ts + 45_000]),
      values: Float64Array.from([1, 2, 3, 4]),
      samples: 4,
    };
    const sender = new RemoteWriteSender({ url: prom.remoteWriteUrl, maxAttempts: 3 });
    try {
      await sender.send(encoder.encodeWindow(w));
      // The same samples again: Prometheus accepts exact duplicates silently.
      await sender.send(encoder.encodeWindow(w));
      // Older than the out-of-order window: refused with 400 and a message, not retried.
      const tooOld = { ...w, timestamps: Float64Array.from(w.timestamps, (t) => t - 40 * 24 * HOUR) };
      await assert.rejects(sender.send(encoder.encodeWindow(tooOld)), (err: unknown) => {
        assert.ok(err instanceof RemoteWriteError, String(err));
        // 2.42 answers 500 "too old sample"; the sender knows it is permanent and does not retry.
        assert.equal(err.status, 500);
        assert.equal(err.retryable, false);
        assert.equal(err.attempts, 1);
        assert.match(err.message, /too old sample/);
        return true;
      });
    } finally {
      await sender.close();
    }
    const n = await prom.query('count_over_time(bp_ooo_probe[1h])', ts + 60_000);
    assert.equal(Number(n[0]?.value[1]), 4);
  });
});
