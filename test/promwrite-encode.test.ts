/**
 * The remote-write encoder's bytes, checked with an independent snappy + protobuf reader
 * (test/helpers/protobuf-reader.ts) and against a hand-computed request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compress } from 'snappyjs';
import { k8sClusterDataset, type Window } from '../src/datasets/k8s-cluster/index.js';
import { WriteRequestEncoder, writeVarint } from '../src/drivers/promwrite/index.js';
import { decodeWriteRequest, snappyDecode } from './helpers/protobuf-reader.js';

function fakeWindow(timestamps: number[], values: number[]): Window {
  return {
    index: 0,
    startMs: timestamps[0] ?? 0,
    endMs: (timestamps.at(-1) ?? 0) + 1,
    count: timestamps.length,
    firstSample: 0,
    timestamps: Float64Array.from(timestamps),
    values: Float64Array.from(values),
    samples: values.length,
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('promwrite encoder', () => {
  test('snappyjs produces the snappy block format (varint length, literal), not the framed format', () => {
    const out = compress(new Uint8Array([0x61, 0x62, 0x63]));
    assert.equal(hex(out), '03' + '08' + '616263');
  });

  test('a known small request, byte for byte', () => {
    const enc = new WriteRequestEncoder([
      {
        labels: [
          ['__name__', 'up'],
          ['job', 'a'],
        ],
      },
    ]);
    const req = enc.encodeWindow(fakeWindow([1000], [1.5]));
    const expected =
      '0a28' + // WriteRequest.timeseries, 40 bytes
      '0a0e' +
      '0a08' +
      Buffer.from('__name__').toString('hex') +
      '1202' +
      Buffer.from('up').toString('hex') +
      '0a08' +
      '0a03' +
      Buffer.from('job').toString('hex') +
      '1201' +
      Buffer.from('a').toString('hex') +
      '120c' +
      '09' +
      '000000000000f83f' +
      '10' +
      'e807'; // Sample{value=1.5, timestamp=1000}
    assert.equal(hex(snappyDecode(req.body)), expected);
    assert.equal(req.rawBytes, 42);
    assert.equal(req.samples, 1);
  });

  test('varints of 2^53-range timestamps', () => {
    const buf = new Uint8Array(16);
    const end = writeVarint(buf, 0, 1_764_000_000_000);
    assert.equal(end, 6);
    let v = 0;
    for (let i = 0; i < end; i++) v += (buf[i]! & 0x7f) * 2 ** (7 * i);
    assert.equal(v, 1_764_000_000_000);
  });

  test('tiny dataset windows decode to exactly the generator data, batched by at most N samples', () => {
    const ds = k8sClusterDataset({ preset: 'tiny' });
    const enc = new WriteRequestEncoder(ds.series);
    const maxSamples = 1000;
    let total = 0;
    const lastTs = new Map<string, number>();
    for (const w of ds.windows(20 * 60_000)) {
      const seen = new Set<number>();
      for (const req of enc.batches(w, maxSamples)) {
        assert.ok(req.samples <= maxSamples);
        const decoded = decodeWriteRequest(snappyDecode(req.body));
        assert.equal(decoded.length, req.series);
        let n = 0;
        for (const s of decoded) {
          const key = JSON.stringify(s.labels);
          const index = ds.series.findIndex((x) => JSON.stringify(x.labels) === key);
          assert.ok(index >= 0, `unknown series ${key}`);
          assert.ok(!seen.has(index), 'a series split across requests of one window');
          seen.add(index);
          assert.equal(s.samples.length, w.count);
          for (let j = 0; j < w.count; j++) {
            assert.equal(s.samples[j]!.timestamp, w.timestamps[j]);
            assert.equal(s.samples[j]!.value, w.values[index * w.count + j]);
            const prev = lastTs.get(key) ?? -1;
            assert.ok(s.samples[j]!.timestamp > prev, 'time order');
            lastTs.set(key, s.samples[j]!.timestamp);
          }
          n += s.samples.length;
        }
        assert.equal(n, req.samples);
        total += n;
      }
      assert.equal(seen.size, ds.seriesCount);
    }
    assert.equal(total, ds.totalSamples);
  });

  test('a series longer than maxSamples is split into consecutive time-ordered requests', () => {
    const enc = new WriteRequestEncoder([{ labels: [['__name__', 'a']] }, { labels: [['__name__', 'b']] }]);
    const w = fakeWindow([10, 20, 30, 40, 50], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const reqs = [...enc.batches(w, 2)].map((r) => decodeWriteRequest(snappyDecode(r.body)));
    assert.deepEqual(
      reqs.map((r) =>
        r.map((s) => `${s.labels[0]![1]}:${s.samples.map((x) => x.value).join(',')}`).join(' '),
      ),
      ['a:1,2', 'a:3,4', 'a:5', 'b:6,7', 'b:8,9', 'b:10'],
    );
  });

  test('special values: NaN (stale marker bits preserved), ±Inf, -0', () => {
    const enc = new WriteRequestEncoder([{ labels: [['__name__', 'x']] }]);
    const w = fakeWindow([1, 2, 3, 4], [0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]);
    // Prometheus' stale marker, written as raw bits (a JS number round trip may canonicalize NaN).
    new BigUint64Array(w.values.buffer, 0, 1)[0] = 0x7ff0000000000002n;
    const raw = snappyDecode(enc.encodeWindow(w).body);
    assert.ok(hex(raw).includes('09' + '020000000000f07f'), 'stale NaN bits');
    const [s] = decodeWriteRequest(raw);
    assert.deepEqual(
      s!.samples.map((x) => x.value),
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0],
    );
  });
});
