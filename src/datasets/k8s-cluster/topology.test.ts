import assert from 'node:assert/strict';
import { test } from 'node:test';
import { k8sClusterDataset } from './generator.js';
import { buildTopology } from './topology.js';

const ds = k8sClusterDataset({ preset: 'default' });
const t = ds.topology;

test('topology: every pod runs on a node of its cluster and zone; service, deployment and namespace agree', () => {
  assert.equal(t.pods.length, 24);
  assert.equal(t.containers.length, 48);
  for (const pod of t.pods) {
    const node = t.nodes[pod.node]!;
    const service = t.services[pod.service]!;
    assert.equal(node.cluster, pod.cluster);
    assert.equal(node.zone, pod.zone);
    assert.equal(t.zones[pod.zone]!.region, pod.region);
    assert.equal(t.clusters[pod.cluster]!.region, pod.region);
    assert.equal(service.cluster, pod.cluster);
    assert.equal(service.namespace, pod.namespace);
    assert.equal(service.deployment, pod.deployment);
    assert.ok(service.pods.includes(pod.index));
    assert.ok(pod.name.startsWith(`${pod.deployment}-`), pod.name);
    for (const c of pod.containers) assert.equal(t.containers[c]!.pod, pod.index);
  }
  assert.equal(new Set(t.pods.map((p) => p.name)).size, t.pods.length, 'pod names are unique');
  assert.equal(new Set(t.nodes.map((n) => n.name)).size, t.nodes.length);
  assert.equal(new Set(t.pods.map((p) => p.ip)).size, t.pods.length);
  // Pods are spread: every node of a cluster runs some.
  for (const node of t.nodes)
    assert.ok(
      t.pods.some((p) => p.node === node.index),
      `${node.name} is empty`,
    );
});

test('series labels agree with the topology (a pod series names its node, zone, region, cluster)', () => {
  const byName = new Map(t.pods.map((p) => [p.name, p]));
  let checked = 0;
  for (const s of ds.series) {
    const labels = new Map(s.labels);
    const podName = labels.get('pod');
    if (!podName) continue;
    const pod = byName.get(podName)!;
    assert.equal(labels.get('node'), t.nodes[pod.node]!.name);
    assert.equal(labels.get('zone'), t.zones[pod.zone]!.name);
    assert.equal(labels.get('region'), t.regions[pod.region]!.name);
    assert.equal(labels.get('cluster'), t.clusters[pod.cluster]!.name);
    assert.equal(labels.get('namespace'), pod.namespace);
    assert.equal(labels.get('deployment'), pod.deployment);
    checked++;
  }
  assert.ok(checked > 3000);
});

test('12 label dimensions; labels sorted by name with __name__ first; series are unique', () => {
  const all = new Set(ds.series.flatMap((s) => s.labels.map(([n]) => n)));
  const twelve = [
    'region',
    'zone',
    'cluster',
    'node',
    'namespace',
    'service',
    'deployment',
    'pod',
    'container',
  ];
  for (const n of [...twelve, 'instance', 'job', 'mode']) assert.ok(all.has(n), n);
  for (const n of ['cpu', 'code', 'method', 'le', 'phase']) assert.ok(all.has(n), n);
  for (const s of ds.series) {
    assert.deepEqual(s.labels[0], ['__name__', s.name]);
    const rest = s.labels.slice(1).map(([n]) => n);
    assert.deepEqual(rest, [...rest].sort());
  }
  const keys = new Set(ds.series.map((s) => JSON.stringify(s.labels)));
  assert.equal(keys.size, ds.series.length);
});

test('the topology is a function of the seed', () => {
  const knobs = ds.knobs;
  assert.deepEqual(buildTopology(knobs, 1), buildTopology(knobs, 1));
  assert.notDeepEqual(
    buildTopology(knobs, 1).pods.map((p) => p.name),
    buildTopology(knobs, 2).pods.map((p) => p.name),
  );
});
