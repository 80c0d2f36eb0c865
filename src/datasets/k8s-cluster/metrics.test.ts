// Each test here is a trap of vobbilis/mytsdb's tools/k8s_data_generator.cpp that we must not fall in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type K8sClusterDataset, k8sClusterDataset } from './generator.js';
import { CPU_MODES, LE_BOUNDS, PHASES, type Series } from './metrics.js';

/** Every series' samples, in full (fine for small datasets). */
function collect(ds: K8sClusterDataset, windowMs = 3_600_000): Float64Array[] {
  const out = ds.series.map(() => new Float64Array(ds.samplesPerSeries));
  for (const w of ds.windows(windowMs)) {
    for (let s = 0; s < ds.seriesCount; s++) {
      out[s]!.set(w.values.subarray(s * w.count, (s + 1) * w.count), w.firstSample);
    }
  }
  return out;
}

const label = (s: Series, name: string): string | undefined => s.labels.find(([n]) => n === name)?.[1];

const tiny = k8sClusterDataset({ preset: 'tiny' });
const data = collect(tiny);
/** One day, so the daily pattern shows (tiny topology, 1-minute scrapes). */
const day = k8sClusterDataset({ preset: 'tiny', days: 1, scrapeIntervalSeconds: 60, seed: 7 });
const dayData = collect(day);

test('node_* series carry node-level labels only (no pod, container, namespace, service, deployment)', () => {
  const node = tiny.series.filter((s) => s.name.startsWith('node_'));
  assert.equal(node.length, tiny.topology.nodes.length * (2 * CPU_MODES.length + 2));
  for (const s of node) {
    for (const forbidden of ['pod', 'container', 'namespace', 'service', 'deployment']) {
      assert.equal(label(s, forbidden), undefined, `${s.name} has ${forbidden}`);
    }
    assert.equal(label(s, 'job'), 'node-exporter');
    assert.ok(label(s, 'node') && label(s, 'zone') && label(s, 'region') && label(s, 'cluster'));
  }
});

test('node_cpu_seconds_total has cpu and mode; per cpu the modes add up to the elapsed time', () => {
  const cpu = tiny.series.filter((s) => s.name === 'node_cpu_seconds_total');
  assert.equal(cpu.length, tiny.topology.nodes.length * 2 * CPU_MODES.length);
  const modes = new Set(cpu.map((s) => label(s, 'mode')));
  assert.deepEqual([...modes].sort(), [...CPU_MODES]);
  assert.deepEqual([...new Set(cpu.map((s) => label(s, 'cpu')))].sort(), ['0', '1']);
  // Group by node+cpu: the 8 mode counters advance by exactly one interval (15 s) per scrape.
  const groups = new Map<string, Series[]>();
  for (const s of cpu) {
    const key = `${label(s, 'node')}/${label(s, 'cpu')}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const group of groups.values()) {
    assert.equal(group.length, CPU_MODES.length);
    for (let j = 1; j < tiny.samplesPerSeries; j++) {
      let delta = 0;
      for (const s of group) delta += data[s.index]![j]! - data[s.index]![j - 1]!;
      assert.ok(Math.abs(delta - 15) < 1e-6, `modes advance by ${delta} s`);
    }
  }
});

test('node_memory_MemAvailable_bytes ≤ MemTotal, MemTotal constant, both positive', () => {
  for (const node of day.topology.nodes) {
    const avail = day.series.find(
      (s) => s.name === 'node_memory_MemAvailable_bytes' && label(s, 'node') === node.name,
    )!;
    const total = day.series.find(
      (s) => s.name === 'node_memory_MemTotal_bytes' && label(s, 'node') === node.name,
    )!;
    for (let j = 0; j < day.samplesPerSeries; j++) {
      const a = dayData[avail.index]![j]!;
      const t = dayData[total.index]![j]!;
      assert.equal(t, node.memTotalBytes);
      assert.ok(a > 0 && a <= t, `${a} > ${t}`);
    }
  }
});

test('*_bucket series have le, are cumulative in le, +Inf == _count, _sum within the bucket bounds', () => {
  const buckets = tiny.series.filter((s) => s.name.endsWith('_bucket'));
  assert.equal(buckets.length, tiny.topology.pods.length * (LE_BOUNDS.length + 1));
  for (const s of buckets) assert.ok(label(s, 'le'), `${s.name} without le`);
  let checked = 0;
  for (const pod of tiny.topology.pods) {
    const of = (name: string) => tiny.series.filter((s) => s.name === name && label(s, 'pod') === pod.name);
    const bs = of('http_request_duration_seconds_bucket');
    assert.deepEqual(
      bs.map((s) => label(s, 'le')),
      [...LE_BOUNDS.map(String), '+Inf'],
    );
    const sum = of('http_request_duration_seconds_sum')[0]!;
    const count = of('http_request_duration_seconds_count')[0]!;
    const requests = of('http_requests_total');
    assert.equal(requests.length, 6);
    for (let j = 0; j < tiny.samplesPerSeries; j++) {
      let previous = 0;
      let low = 0;
      let high = 0;
      for (let i = 0; i < bs.length; i++) {
        const v = data[bs[i]!.index]![j]!;
        assert.ok(v >= previous, `bucket le=${label(bs[i]!, 'le')} < the one below`);
        low += (v - previous) * (i === 0 ? 0 : (LE_BOUNDS[i - 1] ?? 0));
        high += (v - previous) * (LE_BOUNDS[i] ?? 7.5);
        previous = v;
      }
      const c = data[count.index]![j]!;
      assert.equal(previous, c, '+Inf bucket != _count');
      const total = requests.reduce((acc, s) => acc + data[s.index]![j]!, 0);
      assert.equal(total, c, 'the histogram counts every request of http_requests_total');
      const sm = data[sum.index]![j]!;
      assert.ok(sm >= low - 1e-6 && sm <= high + 1e-6, `_sum ${sm} outside [${low}, ${high}]`);
      if (c > 0) checked++;
    }
  }
  assert.ok(checked > tiny.samplesPerSeries, 'histograms have data');
});

test('kube_pod_status_phase has phase and is one-hot per pod per timestamp; pods start Pending or Running', () => {
  const ds = k8sClusterDataset({ preset: 'default', days: 1 / 48 });
  const all = collect(ds, 600_000);
  let pendingSeen = 0;
  for (const pod of ds.topology.pods) {
    const ps = ds.series.filter((s) => s.name === 'kube_pod_status_phase' && label(s, 'pod') === pod.name);
    assert.deepEqual(
      ps.map((s) => label(s, 'phase')),
      [...PHASES],
    );
    for (const s of ps) assert.equal(label(s, 'container'), undefined);
    for (let j = 0; j < ds.samplesPerSeries; j++) {
      const values = ps.map((s) => all[s.index]![j]!);
      assert.equal(values.filter((v) => v === 1).length, 1);
      assert.equal(values.filter((v) => v === 0).length, PHASES.length - 1);
      if (values[PHASES.indexOf('Pending')] === 1) {
        pendingSeen++;
        assert.ok(j < 5, 'only a start can be Pending');
      }
    }
    assert.equal(all[ps[PHASES.indexOf('Running')]!.index]![ds.samplesPerSeries - 1], 1);
  }
  assert.ok(pendingSeen > 0, 'some pod of the default topology starts Pending');
});

test('counters never decrease except at container restarts, and each reset coincides with a restart increment', () => {
  let resets = 0;
  let counters = 0;
  for (const s of tiny.series) {
    const isCounter = s.family.kind === 'counter' || s.family.kind === 'histogram';
    if (!isCounter) continue;
    counters++;
    const v = data[s.index]!;
    const r = s.restartSeries >= 0 ? data[s.restartSeries]! : undefined;
    if (s.restartSeries >= 0) {
      assert.equal(tiny.series[s.restartSeries]!.name, 'kube_pod_container_status_restarts_total');
      assert.equal(label(tiny.series[s.restartSeries]!, 'pod'), label(s, 'pod'));
    }
    for (let j = 1; j < v.length; j++) {
      if (v[j]! >= v[j - 1]!) continue;
      assert.ok(r, `${s.name} (never reset) decreased at sample ${j}`);
      assert.equal(r[j], r[j - 1]! + 1, `${s.name} decreased at sample ${j} without a restart`);
      assert.ok(v[j]! < v[j - 1]! * 0.5 + 1e6, 'a reset drops to about zero');
      resets++;
    }
  }
  assert.ok(counters > 100);
  assert.ok(resets >= tiny.restarts.length, `resets ${resets}, restarts ${tiny.restarts.length}`);
  assert.ok(tiny.restarts.length > 0);
  // Every restart listed is an increment of that container's restart series, and vice versa.
  let increments = 0;
  for (const s of tiny.series.filter((x) => x.name === 'kube_pod_container_status_restarts_total')) {
    const v = data[s.index]!;
    for (let j = 1; j < v.length; j++) {
      if (v[j] === v[j - 1]) continue;
      assert.equal(v[j], v[j - 1]! + 1);
      increments++;
      const at = tiny.startMs + j * tiny.intervalMs;
      assert.ok(
        tiny.restarts.some(
          (x) =>
            x.pod === label(s, 'pod') && x.containerName === label(s, 'container') && x.timestampMs === at,
        ),
      );
      // The container's CPU counter resets at the same timestamp.
      const cpu = tiny.series.find(
        (x) => x.name === 'container_cpu_usage_seconds_total' && x.restartSeries === s.index,
      )!;
      assert.ok(data[cpu.index]![j]! < data[cpu.index]![j - 1]!);
    }
  }
  assert.equal(increments, tiny.restarts.length);
});

test('gauges follow a daily pattern: memory and node CPU busy peak in local afternoon, trough at night', () => {
  const region = day.topology.regions[0]!;
  assert.equal(region.name, 'us-east-1');
  // 15:00 local = 20:00 UTC, 03:00 local = 08:00 UTC (UTC-5). The range is 2024-12-31.
  const at = (hourUtc: number) =>
    Math.round((Date.UTC(2024, 11, 31, hourUtc) - day.startMs) / day.intervalMs);
  const memory = day.series.filter((s) => s.name === 'container_memory_working_set_bytes');
  const mean = (series: Series[], from: number) => {
    let total = 0;
    for (const s of series) for (let j = from; j < from + 60; j++) total += dayData[s.index]![j]!;
    return total / (series.length * 60);
  };
  assert.ok(mean(memory, at(20)) > mean(memory, at(8)) * 1.1);
  const available = day.series.filter((s) => s.name === 'node_memory_MemAvailable_bytes');
  assert.ok(mean(available, at(8)) > mean(available, at(20)), 'more memory free at night');
  // Noise: consecutive samples of a gauge are not all equal.
  const g = dayData[memory[0]!.index]!;
  assert.ok(new Set(g.subarray(1000, 1060)).size > 30);
});
