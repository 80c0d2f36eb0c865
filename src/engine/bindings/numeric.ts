/** Numeric generators: sequence, uniform, zipf, normal. Each is built once and allocates nothing per call. */
import type { BindingSpecOf } from '../../protocol/bindings.js';
import type { Stream } from './hash.js';
import type { Generator } from './types.js';
import { ZipfSampler } from './zipf.js';

const TWO_PI = 2 * Math.PI;

export function sequenceGenerator(spec: BindingSpecOf<'sequence'>): Generator {
  const { start, step } = spec;
  return (cycle) => start + cycle * step;
}

export function uniformGenerator(spec: BindingSpecOf<'uniform'>, stream: Stream): Generator {
  const { min, max } = spec;
  if (spec.float) {
    const width = max - min;
    if (spec.decimals === undefined) {
      return (cycle) => {
        stream.at(cycle);
        return min + stream.nextDouble() * width;
      };
    }
    const scale = 10 ** spec.decimals;
    return (cycle) => {
      stream.at(cycle);
      return Math.round((min + stream.nextDouble() * width) * scale) / scale;
    };
  }
  const count = max - min + 1;
  const last = count - 1;
  return (cycle) => {
    stream.at(cycle);
    const k = Math.floor(stream.nextDouble() * count);
    return min + Math.min(k, last); // u * count can round up to count when count is near 2^53
  };
}

export function zipfGenerator(spec: BindingSpecOf<'zipf'>, stream: Stream): Generator {
  const sampler = new ZipfSampler(spec.n, spec.exponent);
  const base = spec.offset - 1;
  return (cycle) => {
    stream.at(cycle);
    return base + sampler.sample(stream);
  };
}

export function normalGenerator(spec: BindingSpecOf<'normal'>, stream: Stream): Generator {
  const { mean, stddev, integer } = spec;
  const low = spec.min ?? Number.NEGATIVE_INFINITY;
  const high = spec.max ?? Number.POSITIVE_INFINITY;
  return (cycle) => {
    stream.at(cycle);
    // Box-Muller, one of the pair: 1 - u keeps log's argument in (0, 1]
    const radius = Math.sqrt(-2 * Math.log(1 - stream.nextDouble()));
    let value = mean + stddev * radius * Math.cos(TWO_PI * stream.nextDouble());
    if (integer) value = Math.round(value) + 0; // + 0 turns -0 into 0
    return Math.max(low, Math.min(value, high));
  };
}
