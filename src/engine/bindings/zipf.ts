/**
 * Zipf sampling by rejection-inversion (Hörmann & Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", 1996): O(1) memory and expected O(1) time for
 * any n, where a table of n cumulative weights would not fit. Follows the formulation used by
 * Apache Commons RNG. Ranks are 1..n with P(k) proportional to k^-exponent.
 */
import type { Stream } from './hash.js';

/** log(1 + x) / x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (exp(x) - 1) / x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

export class ZipfSampler {
  readonly #n: number;
  readonly #exponent: number;
  readonly #hIntegralX1: number;
  readonly #hIntegralN: number;
  /** Squeeze: ranks within this distance of x are accepted without evaluating h. */
  readonly #squeeze: number;

  constructor(n: number, exponent: number) {
    this.#n = n;
    this.#exponent = exponent;
    this.#hIntegralX1 = this.#hIntegral(1.5) - 1;
    this.#hIntegralN = this.#hIntegral(n + 0.5);
    this.#squeeze = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2));
  }

  /** A rank in 1..n from the stream's next draws (usually one, rarely a few). */
  sample(stream: Stream): number {
    const n = this.#n;
    for (;;) {
      const u = this.#hIntegralN + stream.nextDouble() * (this.#hIntegralX1 - this.#hIntegralN);
      const x = this.#hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= this.#squeeze || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k;
    }
  }

  /** H(x) = ((x^(1-s)) - 1) / (1 - s), or log(x) when s = 1. */
  #hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.#exponent) * logX) * logX;
  }

  #h(x: number): number {
    return Math.exp(-this.#exponent * Math.log(x));
  }

  #hIntegralInverse(x: number): number {
    let t = x * (1 - this.#exponent);
    if (t < -1) t = -1; // numerical safety: the true value is never below -1
    return Math.exp(helper1(t) * x);
  }
}
