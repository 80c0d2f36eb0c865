/**
 * The op mix as a fixed sequence: op index = sequence[cycle % length]. Built by smooth weighted
 * round-robin, so ratios 3:1 give a b? a a interleaved rather than a a a b, and every worker
 * running any cycle partition sees the same mix.
 */
export function buildOpSequence(ratios: readonly number[]): Uint16Array {
  const total = ratios.reduce((sum, r) => sum + r, 0);
  if (total <= 0) throw new Error('at least one op must have a ratio above 0');
  if (ratios.length > 65535) throw new Error('too many ops in one phase');
  const sequence = new Uint16Array(total);
  const current = ratios.map(() => 0);
  for (let position = 0; position < total; position++) {
    let best = -1;
    for (let i = 0; i < ratios.length; i++) {
      current[i]! += ratios[i]!;
      if (ratios[i]! > 0 && (best < 0 || current[i]! > current[best]!)) best = i;
    }
    current[best]! -= total;
    sequence[position] = best;
  }
  return sequence;
}
