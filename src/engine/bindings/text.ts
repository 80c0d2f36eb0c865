/** Generators of picks and strings: choice, uuid, words. */
import type { BindingSpecOf } from '../../protocol/bindings.js';
import type { Stream } from './hash.js';
import type { Generator } from './types.js';
import { WORDS } from './wordlist.js';

const TWO32 = 4294967296;
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function choiceGenerator(spec: BindingSpecOf<'choice'>, stream: Stream): Generator {
  const values = spec.values.slice();
  const count = values.length;
  if (spec.weights === undefined) {
    return (cycle) => {
      stream.at(cycle);
      return values[Math.floor(stream.nextDouble() * count)]!;
    };
  }
  const cumulative = new Float64Array(count);
  let total = 0;
  let lastPositive = 0;
  for (let i = 0; i < count; i++) {
    const weight = spec.weights[i]!;
    total += weight;
    cumulative[i] = total;
    if (weight > 0) lastPositive = i;
  }
  return (cycle) => {
    stream.at(cycle);
    const target = stream.nextDouble() * total;
    // first index whose cumulative weight exceeds target (zero-weight entries are never chosen)
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return values[low < count ? low : lastPositive]!;
  };
}

function hex8(word: number): string {
  return (
    HEX_BYTE[word >>> 24]! +
    HEX_BYTE[(word >>> 16) & 0xff]! +
    HEX_BYTE[(word >>> 8) & 0xff]! +
    HEX_BYTE[word & 0xff]!
  );
}

function hex4(half: number): string {
  return HEX_BYTE[(half >>> 8) & 0xff]! + HEX_BYTE[half & 0xff]!;
}

export function uuidGenerator(stream: Stream): Generator {
  const words = new Uint32Array(4);
  return (cycle) => {
    stream.at(cycle);
    stream.nextWords(words, 0);
    stream.nextWords(words, 2);
    const b = words[1]!;
    const c = words[2]!;
    // version nibble 4; variant bits 10
    return (
      hex8(words[0]!) +
      '-' +
      hex4(b >>> 16) +
      '-' +
      hex4((b & 0x0fff) | 0x4000) +
      '-' +
      hex4(((c >>> 16) & 0x3fff) | 0x8000) +
      '-' +
      hex4(c & 0xffff) +
      hex8(words[3]!)
    );
  };
}

export function wordsGenerator(spec: BindingSpecOf<'words'>, stream: Stream): Generator {
  const { separator } = spec;
  const size = WORDS.length;
  const fixed = spec.min === undefined || spec.max === undefined;
  const minCount = fixed ? (spec.count ?? 1) : spec.min!;
  const spread = fixed ? 1 : spec.max! - minCount + 1;
  return (cycle) => {
    stream.at(cycle);
    const count = fixed ? minCount : minCount + Math.floor(stream.nextDouble() * spread);
    if (count === 0) return '';
    let out = WORDS[Math.floor((stream.nextUint32() * size) / TWO32)]!;
    for (let i = 1; i < count; i++)
      out += separator + WORDS[Math.floor((stream.nextUint32() * size) / TWO32)]!;
    return out;
  };
}
