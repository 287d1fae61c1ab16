// Owns composing the fuzzer's mutations into one case: picks 1–3 mutators by weight (byte-mutators.ts,
// structure-mutators.ts), runs structure mutations of a deflated file on its inflated body, and sometimes wraps
// the result in a zip. The weights and the order of random draws define what case K of a seed is.
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { concat, layoutOf, type Layout } from './dicom-elements.ts';
import { bitFlips, chunkOps, interestingValues, splice, truncate, zipWrap } from './byte-mutators.ts';
import { DEFLATED, type Mutated, type Mutator } from './mutator-kit.ts';
import {
  brokenFragments,
  deepSequence,
  deflateBomb,
  elementLength,
  pixelDimensions,
  syntaxSwap,
  syntaxSwapTo,
  wrongVr,
} from './structure-mutators.ts';
import type { Random } from './random.ts';

export type { Mutated } from './mutator-kit.ts';

const MUTATORS: Array<[name: string, weight: number, mutate: Mutator]> = [
  ['bit-flips', 14, bitFlips],
  ['interesting-values', 8, interestingValues],
  ['truncate', 8, truncate],
  ['element-length', 12, elementLength],
  ['wrong-vr', 8, wrongVr],
  ['deep-sequence', 3, deepSequence],
  ['pixel-dimensions', 12, pixelDimensions],
  ['broken-fragments', 12, brokenFragments],
  ['syntax-swap', 5, syntaxSwap],
  ['deflate-bomb', 2, deflateBomb],
  ['splice', 5, splice],
  ['chunk-ops', 4, chunkOps],
];
const TOTAL_WEIGHT = MUTATORS.reduce((n, [, w]) => n + w, 0);

function pickMutator(rng: Random): [string, Mutator] {
  let r = rng.below(TOTAL_WEIGHT);
  for (const [name, weight, mutate] of MUTATORS) {
    if (r < weight) return [name, mutate];
    r -= weight;
  }
  return [MUTATORS[0][0], MUTATORS[0][2]];
}

/** Runs `mutate` on the inflated body of a deflated file and deflates the result again. */
function throughInflated(
  bytes: Uint8Array,
  layout: Layout,
  mutate: (inner: Uint8Array) => Uint8Array | undefined,
) {
  let inflated: Uint8Array;
  try {
    inflated = inflateRawSync(bytes.subarray(layout.datasetStart), { maxOutputLength: 64 << 20 });
  } catch {
    return undefined;
  }
  // Present the body as explicit little endian so the structure mutators can walk it.
  const asExplicit = concat(
    syntaxSwapTo(bytes, layout, '1.2.840.10008.1.2.1').subarray(0, layout.datasetStart),
    inflated,
  );
  const mutated = mutate(asExplicit);
  const after = mutated && layoutOf(mutated);
  if (!mutated || !after) return undefined;
  const back = syntaxSwapTo(mutated, after, DEFLATED);
  const backLayout = layoutOf(back);
  if (!backLayout) return undefined;
  return concat(
    back.subarray(0, backLayout.datasetStart),
    deflateRawSync(back.subarray(backLayout.datasetStart)),
  );
}

/** One case: 1–3 mutations of `seed`, and sometimes the result wrapped in a zip. */
export function mutate(seed: Uint8Array, rng: Random, donors: readonly Uint8Array[]): Mutated {
  let bytes = seed;
  const steps: string[] = [];
  const rounds = rng.pick([1, 1, 1, 2, 2, 3]);
  for (let round = 0; round < rounds; round++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const [name, mutator] = pickMutator(rng);
      const layout = layoutOf(bytes);
      let next: Uint8Array | undefined;
      if (
        layout?.syntax === DEFLATED &&
        name !== 'deflate-bomb' &&
        name !== 'syntax-swap' &&
        rng.chance(0.7)
      ) {
        next = throughInflated(bytes, layout, (inner) =>
          mutator({ bytes: inner, rng, donors }, layoutOf(inner)),
        );
        if (next) steps.push(`${name}(inflated)`);
      } else {
        next = mutator({ bytes, rng, donors }, layout);
        if (next) steps.push(name);
      }
      if (next && next.length > 0) {
        bytes = next;
        break;
      }
    }
  }
  const zip = rng.chance(0.04);
  if (zip) {
    bytes = zipWrap(bytes, rng);
    steps.push('zip');
  }
  return { bytes, steps, zip };
}
