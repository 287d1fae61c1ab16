// Owns the Dice overlap of two masks given as ascending linear voxel indices (the store's sparse masks):
// 2|A ∩ B| / (|A| + |B|), by one merge pass, so no volume-sized buffer is ever built.

export function maskDice(a: Uint32Array, b: Uint32Array): number {
  if (a.length + b.length === 0) return 1; // two empty masks agree
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return (2 * shared) / (a.length + b.length);
}
