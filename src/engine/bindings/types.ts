/** A binding's value for one cycle. */
export type BindingValue = string | number | boolean | null;

/** A compiled generator: pure function of the cycle number (same cycle, same value, any machine). */
export type Generator = (cycle: number) => BindingValue;

export interface BindingSet {
  has(name: string): boolean;
  /** Throws when the name is not declared (callers validate template names at load time). */
  get(name: string): Generator;
  names(): readonly string[];
}
