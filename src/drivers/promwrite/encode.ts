/**
 * Prometheus remote write 1.0 encoding, by hand (prometheus/prompb):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 *
 * The protobuf bytes go into one growable buffer reused by every request (exact sizes are computed
 * first, so each request is written in one pass with no per-sample allocation); a series' labels are
 * encoded once and cached; a window's timestamps are varint-encoded once for all series. The body
 * sent is the snappy *block* format (no framing), which is what Prometheus' receiver decodes.
 */
import { compress } from 'snappyjs';
import type { Label, Window } from '../../datasets/k8s-cluster/index.js';

/** The part of a series the encoder needs. */
export interface EncodableSeries {
  readonly labels: readonly Label[];
}

/** One remote-write request: the snappy-compressed body (owned by the caller) and what it holds. */
export interface EncodedRequest {
  readonly body: Uint8Array;
  /** Uncompressed protobuf size. */
  readonly rawBytes: number;
  readonly samples: number;
  readonly series: number;
  /** Smallest and largest sample timestamps in the request (ms). */
  readonly minTimestampMs: number;
  readonly maxTimestampMs: number;
}

const textEncoder = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function varintLength(n: number): number {
  if (n < 0) throw new RangeError(`negative varint ${n}`);
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Writes a non-negative integer (≤ 2^53) as a varint at `pos`; returns the next position. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Encodes `labels` as the repeated `labels = 1` fields of a TimeSeries. */
export function encodeLabels(labels: readonly Label[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const [name, value] of labels) {
    const n = textEncoder.encode(name);
    const v = textEncoder.encode(value);
    const inner = 1 + varintLength(n.length) + n.length + 1 + varintLength(v.length) + v.length;
    const out = new Uint8Array(1 + varintLength(inner) + inner);
    let p = 0;
    out[p++] = 0x0a; // TimeSeries.labels, length-delimited
    p = writeVarint(out, p, inner);
    out[p++] = 0x0a; // Label.name
    p = writeVarint(out, p, n.length);
    out.set(n, p);
    p += n.length;
    out[p++] = 0x12; // Label.value
    p = writeVarint(out, p, v.length);
    out.set(v, p);
    parts.push(out);
    size += out.length;
  }
  const all = new Uint8Array(size);
  let p = 0;
  for (const part of parts) {
    all.set(part, p);
    p += part.length;
  }
  return all;
}

/** A series' samples [from, to) within the current window. */
interface Segment {
  series: number;
  from: number;
  to: number;
}

/**
 * Encodes k8s-cluster windows (or anything with the same shape) into WriteRequests.
 * Not reentrant: one encoder per sending loop.
 */
export class WriteRequestEncoder {
  private readonly series: readonly EncodableSeries[];
  private readonly labelCache: (Uint8Array | undefined)[];
  private buf: Uint8Array;
  private view: DataView;
  /** Per sample index j of the current window: `0x10 <varint ts>` bytes, at tsOffset[j]. */
  private tsBytes = new Uint8Array(0);
  private tsLen = new Uint8Array(0);
  private tsWindow: Window | undefined;
  private tsWindowIndex = -1;
  private tsWindowStart = Number.NaN;

  constructor(series: readonly EncodableSeries[], initialBytes = 1 << 20) {
    this.series = series;
    this.labelCache = new Array(series.length);
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  private labels(s: number): Uint8Array {
    let l = this.labelCache[s];
    if (l === undefined) {
      const series = this.series[s];
      if (!series) throw new RangeError(`no series ${s}`);
      l = encodeLabels(series.labels);
      this.labelCache[s] = l;
    }
    return l;
  }

  private prepareTimestamps(w: Window): void {
    if (this.tsWindow === w && this.tsWindowIndex === w.index && this.tsWindowStart === w.startMs) return;
    if (this.tsLen.length < w.count) {
      this.tsLen = new Uint8Array(w.count);
      this.tsBytes = new Uint8Array(w.count * 11);
    }
    for (let j = 0; j < w.count; j++) {
      const ts = w.timestamps[j]!;
      if (!(ts >= 0) || !Number.isSafeInteger(ts)) throw new RangeError(`timestamp ${ts} not encodable`);
      const base = j * 11;
      this.tsBytes[base] = 0x10; // Sample.timestamp, varint
      this.tsLen[j] = writeVarint(this.tsBytes, base + 1, ts) - base;
    }
    this.tsWindow = w;
    this.tsWindowIndex = w.index;
    this.tsWindowStart = w.startMs;
  }

  private ensure(size: number): void {
    if (this.buf.length >= size) return;
    let n = this.buf.length * 2;
    while (n < size) n *= 2;
    this.buf = new Uint8Array(n);
    this.view = new DataView(this.buf.buffer);
  }

  /**
   * The protobuf WriteRequest (uncompressed) for the segments; a view into the reused buffer,
   * valid until the next call.
   */
  private encodeSegments(w: Window, segs: readonly Segment[], nSegs: number): Uint8Array {
    this.prepareTimestamps(w);
    const tsLen = this.tsLen;
    // Pass 1: sizes.
    let total = 0;
    for (let k = 0; k < nSegs; k++) {
      const g = segs[k]!;
      let inner = this.labels(g.series).length;
      for (let j = g.from; j < g.to; j++) {
        const sampleLen = 9 + tsLen[j]!;
        inner += 1 + varintLength(sampleLen) + sampleLen;
      }
      total += 1 + varintLength(inner) + inner;
    }
    this.ensure(total);
    // Pass 2: bytes.
    const buf = this.buf;
    const view = this.view;
    const tsBytes = this.tsBytes;
    const values = w.values;
    // Copy the doubles' bytes as they are (NaN payloads such as Prometheus' stale marker survive;
    // a float store could canonicalize them). Typed arrays are little-endian on every Node platform
    // we run on; big-endian falls back to DataView.
    const valueBytes = LITTLE_ENDIAN
      ? new Uint8Array(values.buffer, values.byteOffset, values.length * 8)
      : undefined;
    const count = w.count;
    let p = 0;
    for (let k = 0; k < nSegs; k++) {
      const g = segs[k]!;
      const labels = this.labels(g.series);
      let inner = labels.length;
      for (let j = g.from; j < g.to; j++) inner += 2 + 9 + tsLen[j]!; // sampleLen < 128: 1-byte length
      buf[p++] = 0x0a; // WriteRequest.timeseries
      p = writeVarint(buf, p, inner);
      buf.set(labels, p);
      p += labels.length;
      const row = g.series * count;
      for (let j = g.from; j < g.to; j++) {
        const tl = tsLen[j]!;
        buf[p++] = 0x12; // TimeSeries.samples
        buf[p++] = 9 + tl;
        buf[p++] = 0x09; // Sample.value, fixed64
        if (valueBytes) {
          const vb = (row + j) * 8;
          buf[p] = valueBytes[vb]!;
          buf[p + 1] = valueBytes[vb + 1]!;
          buf[p + 2] = valueBytes[vb + 2]!;
          buf[p + 3] = valueBytes[vb + 3]!;
          buf[p + 4] = valueBytes[vb + 4]!;
          buf[p + 5] = valueBytes[vb + 5]!;
          buf[p + 6] = valueBytes[vb + 6]!;
          buf[p + 7] = valueBytes[vb + 7]!;
        } else view.setFloat64(p, values[row + j]!, true);
        p += 8;
        const tb = j * 11;
        for (let i = 0; i < tl; i++) buf[p + i] = tsBytes[tb + i]!;
        p += tl;
      }
    }
    if (p !== total) throw new Error(`encoder size mismatch: wrote ${p}, computed ${total}`);
    return buf.subarray(0, total);
  }

  /** The uncompressed protobuf of series [fromSeries, toSeries) of a window (a view, reused). */
  encodeProtobuf(w: Window, fromSeries = 0, toSeries = this.series.length): Uint8Array {
    const segs: Segment[] = [];
    for (let s = fromSeries; s < toSeries; s++) segs.push({ series: s, from: 0, to: w.count });
    return this.encodeSegments(w, segs, segs.length);
  }

  /** One snappy-compressed request with series [fromSeries, toSeries) of the window. */
  encodeWindow(w: Window, fromSeries = 0, toSeries = this.series.length): EncodedRequest {
    const raw = this.encodeProtobuf(w, fromSeries, toSeries);
    return this.finish(w, raw, (toSeries - fromSeries) * w.count, toSeries - fromSeries, 0, w.count);
  }

  private finish(
    w: Window,
    raw: Uint8Array,
    samples: number,
    series: number,
    minJ: number,
    maxJ: number,
  ): EncodedRequest {
    return {
      body: compress(raw),
      rawBytes: raw.length,
      samples,
      series,
      minTimestampMs: w.timestamps[minJ] ?? w.startMs,
      maxTimestampMs: w.timestamps[Math.max(minJ, maxJ - 1)] ?? w.startMs,
    };
  }

  /**
   * The window as requests of at most `maxSamples` samples each, series by series. A series is
   * never split across requests unless its window alone exceeds `maxSamples` (then its parts come
   * in time order, in consecutive requests), so the requests of one window hold disjoint series and
   * may be sent concurrently; send the next window only when this one is done.
   */
  *batches(w: Window, maxSamples: number): Generator<EncodedRequest> {
    if (!(maxSamples >= 1)) throw new RangeError(`maxSamples must be ≥ 1, got ${maxSamples}`);
    const segs: Segment[] = [];
    let n = 0;
    let samples = 0;
    let minJ = w.count;
    let maxJ = 0;
    const flush = (): EncodedRequest => {
      const raw = this.encodeSegments(w, segs, n);
      const req = this.finish(w, raw, samples, n, minJ, maxJ);
      n = 0;
      samples = 0;
      minJ = w.count;
      maxJ = 0;
      return req;
    };
    const push = (series: number, from: number, to: number): void => {
      const g = segs[n];
      if (g) {
        g.series = series;
        g.from = from;
        g.to = to;
      } else segs.push({ series, from, to });
      n++;
      samples += to - from;
      if (from < minJ) minJ = from;
      if (to > maxJ) maxJ = to;
    };
    if (w.count === 0) return;
    for (let s = 0; s < this.series.length; s++) {
      if (w.count <= maxSamples) {
        if (samples + w.count > maxSamples) yield flush();
        push(s, 0, w.count);
      } else {
        // A series longer than a request: consecutive pieces, each its own request, in time order.
        if (n > 0) yield flush();
        for (let from = 0; from < w.count; from += maxSamples) {
          push(s, from, Math.min(w.count, from + maxSamples));
          yield flush();
        }
      }
    }
    if (n > 0) yield flush();
  }
}
