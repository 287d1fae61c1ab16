// Owns the fuzzer's seeded randomness: one small, fast generator (sfc32) per case, derived from the run's seed
// and the case number, so any single case can be rebuilt from (seed, case) without replaying the others.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  below(n: number): number;
  /** Integer in [low, high]. */
  between(low: number, high: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function hash32(text: string): number {
  // FNV-1a, then a murmur finaliser so near-identical texts spread.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function random(seed: string | number, stream: number | string = 0): Random {
  let a = hash32(`${seed}/a/${stream}`);
  let b = hash32(`${seed}/b/${stream}`);
  let c = hash32(`${seed}/c/${stream}`);
  let d = 1;
  const next32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const next = () => next32() / 2 ** 32;
  const below = (n: number) => Math.floor(next() * n);
  return {
    next,
    below,
    between: (low, high) => low + below(high - low + 1),
    pick: (items) => items[below(items.length)],
    chance: (p) => next() < p,
  };
}
