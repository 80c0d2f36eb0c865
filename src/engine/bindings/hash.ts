/**
 * Counter-based random numbers: splitmix64 on 32-bit halves (Math.imul plus exact float
 * arithmetic), so every cycle up to 2^53 hashes to the same bits on every machine.
 *
 * A Stream has a 64-bit key and an odd 64-bit gamma derived from (workload seed, label). For a
 * cycle, draw 0 is mix(key + cycle * gamma); draw j is mix(draw0 + j * GOLDEN). Per-stream
 * gammas (as in SplittableRandom) keep streams from being shifted copies of each other.
 * Key derivation runs once at compile time and uses BigInt for clarity.
 */

const INV_2_32 = 1 / 4294967296;
const INV_2_53 = 1 / 9007199254740992;
const MASK64 = (1n << 64n) - 1n;
export const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;
const GOLDEN_HI = 0x9e3779b9;
const GOLDEN_LO = 0x7f4a7c15;
// splitmix64 finalizer multipliers (Stafford's Mix13)
const M1_HI = 0xbf58476d;
const M1_LO = 0x1ce4e5b9;
const M2_HI = 0x94d049bb;
const M2_LO = 0x133111eb;

const INV_2_16 = 1 / 65536;

/**
 * High 32 bits (as int32) of the 64-bit product of two 32-bit words taken as unsigned.
 * Exact: every intermediate is below 2^49, and scaling by 2^-16 is exact (no division).
 */
function mulHi32(a: number, b: number): number {
  const ua = a >>> 0;
  const partLow = ua * (b & 0xffff);
  const partHigh = ua * (b >>> 16) + Math.floor(partLow * INV_2_16);
  return Math.floor(partHigh * INV_2_16) | 0;
}

/** Reference implementation (BigInt), used at compile time and by tests. */
export function mix64Big(value: bigint): bigint {
  let z = value & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** mixGamma from SplittableRandom: an odd gamma with enough bit transitions. */
function mixGammaBig(value: bigint): bigint {
  let z = mix64Big(value) | 1n;
  let transitions = 0;
  for (let x = z ^ (z >> 1n); x !== 0n; x &= x - 1n) transitions++;
  if (transitions < 24) z ^= 0xaaaaaaaaaaaaaaaan;
  return z;
}

export interface StreamKey {
  readonly keyHi: number;
  readonly keyLo: number;
  readonly gammaHi: number;
  readonly gammaLo: number;
}

/** Derive a stream from the workload seed and a label such as `name:email` (UTF-16 units mixed in). */
export function deriveStreamKey(seed: number, label: string): StreamKey {
  let h = mix64Big(BigInt.asUintN(64, BigInt(seed)) + GOLDEN_GAMMA);
  for (let i = 0; i < label.length; i++) {
    h = mix64Big((h ^ BigInt(label.charCodeAt(i))) + GOLDEN_GAMMA);
  }
  const key = mix64Big(h + 2n * GOLDEN_GAMMA);
  const gamma = mixGammaBig(h + 3n * GOLDEN_GAMMA);
  return {
    keyHi: Number(key >> 32n),
    keyLo: Number(key & 0xffffffffn),
    gammaHi: Number(gamma >> 32n),
    gammaLo: Number(gamma & 0xffffffffn),
  };
}

/**
 * One binding's random numbers. `at(cycle)` positions it; then `nextUint32` / `nextDouble`
 * return that cycle's draws in order. Allocates nothing per call; not shared across bindings.
 */
export class Stream {
  // All 32-bit halves are kept as signed int32 so V8 stores them unboxed (Smi); `>>> 0` only
  // where the unsigned value matters.
  readonly #keyHi: number;
  readonly #keyLo: number;
  readonly #gammaHi: number;
  readonly #gammaLo: number;
  /** Weyl position of the current draw. */
  #wHi = 0;
  #wLo = 0;
  /** Output of the last mix. */
  #zHi = 0;
  #zLo = 0;
  #fresh = false;

  constructor(key: StreamKey) {
    this.#keyHi = key.keyHi | 0;
    this.#keyLo = key.keyLo | 0;
    this.#gammaHi = key.gammaHi | 0;
    this.#gammaLo = key.gammaLo | 0;
  }

  /** Position at `cycle` (non-negative integer up to 2^53); the first draw is ready. */
  at(cycle: number): void {
    const cHi = Math.floor(cycle * INV_2_32) | 0;
    const cLo = cycle | 0;
    // base = key + cycle * gamma (mod 2^64)
    const gLo = this.#gammaLo;
    const pLo = Math.imul(cLo, gLo);
    const pHi = mulHi32(cLo, gLo) + Math.imul(cLo, this.#gammaHi) + Math.imul(cHi, gLo);
    const sumLo = (pLo >>> 0) + (this.#keyLo >>> 0);
    this.#mix((pHi + this.#keyHi + (sumLo > 0xffffffff ? 1 : 0)) | 0, sumLo | 0);
    this.#wHi = this.#zHi;
    this.#wLo = this.#zLo;
    this.#fresh = true;
  }

  /** Advance to the next 64-bit draw (held in #zHi/#zLo). */
  #advance(): void {
    if (this.#fresh) {
      this.#fresh = false;
      return;
    }
    const sumLo = (this.#wLo >>> 0) + GOLDEN_LO;
    this.#wHi = (this.#wHi + GOLDEN_HI + (sumLo > 0xffffffff ? 1 : 0)) | 0;
    this.#wLo = sumLo | 0;
    this.#mix(this.#wHi, this.#wLo);
  }

  #mix(hi: number, lo: number): void {
    // z ^= z >>> 30
    lo ^= (lo >>> 30) | (hi << 2);
    hi ^= hi >>> 30;
    // z *= M1
    let nextHi = (mulHi32(lo, M1_LO) + Math.imul(lo, M1_HI) + Math.imul(hi, M1_LO)) | 0;
    lo = Math.imul(lo, M1_LO);
    hi = nextHi;
    // z ^= z >>> 27
    lo ^= (lo >>> 27) | (hi << 5);
    hi ^= hi >>> 27;
    // z *= M2
    nextHi = (mulHi32(lo, M2_LO) + Math.imul(lo, M2_HI) + Math.imul(hi, M2_LO)) | 0;
    lo = Math.imul(lo, M2_LO);
    hi = nextHi;
    // z ^= z >>> 31
    this.#zLo = lo ^ ((lo >>> 31) | (hi << 1));
    this.#zHi = hi ^ (hi >>> 31);
  }

  /** The next draw's high 32 bits, unsigned. */
  nextUint32(): number {
    this.#advance();
    return this.#zHi >>> 0;
  }

  /** The next draw as a double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    this.#advance();
    return ((this.#zHi >>> 5) * 67108864 + (this.#zLo >>> 6)) * INV_2_53;
  }

  /** The next draw as two uint32 words written to out[index] (high) and out[index + 1] (low). */
  nextWords(out: Uint32Array, index: number): void {
    this.#advance();
    out[index] = this.#zHi;
    out[index + 1] = this.#zLo;
  }
}

/** Reference of Stream's draw j at a cycle (BigInt), for tests and docs. */
export function referenceDraw(key: StreamKey, cycle: number, draw: number): bigint {
  const k = (BigInt(key.keyHi) << 32n) | BigInt(key.keyLo);
  const g = (BigInt(key.gammaHi) << 32n) | BigInt(key.gammaLo);
  const first = mix64Big(k + BigInt(cycle) * g);
  return draw === 0 ? first : mix64Big(first + BigInt(draw) * GOLDEN_GAMMA);
}
