// The overlay's pixel data per slice: finding masks (keyed by finding and slice) and probability slices,
// each fetched once. A generation counter drops fetches that were overtaken by a reload (undo, redo,
// correction), so a stale mask never overwrites a fresh one.
import type { FindingInfo } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';

export class LayerStore {
  private readonly masks = new Map<string, Uint8Array>();
  private readonly probabilities = new Map<number, Uint8Array>();
  private readonly loading = new Set<string>();
  generation = 0;

  private key(findingId: number, k: number): string {
    return `${findingId}:${k}`;
  }

  /** Forgets every mask (and with `probability`, every probability slice); in-flight fetches are dropped. */
  clear(probability = false): void {
    this.masks.clear();
    if (probability) this.probabilities.clear();
    this.generation++;
  }

  mask(findingId: number, k: number): Uint8Array | undefined {
    return this.masks.get(this.key(findingId, k));
  }

  setMask(findingId: number, k: number, mask: Uint8Array): void {
    this.masks.set(this.key(findingId, k), mask);
  }

  probability(k: number): Uint8Array | undefined {
    return this.probabilities.get(k);
  }

  /** Fetches the masks of `findings` on slice k and, when asked, its probability; rejects on the first failure. */
  async load(
    seriesUid: string,
    k: number,
    findings: readonly FindingInfo[],
    probability: boolean,
  ): Promise<boolean> {
    const generation = this.generation;
    const work: Promise<unknown>[] = [];
    const track = (key: string, fetch: () => Promise<void>) => {
      if (this.loading.has(key)) return;
      this.loading.add(key);
      work.push(fetch().finally(() => this.loading.delete(key)));
    };
    for (const finding of findings) {
      const key = this.key(finding.id, k);
      if (this.masks.has(key)) continue;
      track(key, async () => {
        const mask = await api.mask(finding.id, k);
        if (generation === this.generation) this.masks.set(key, mask);
      });
    }
    if (probability && !this.probabilities.has(k)) {
      track(`p${k}`, async () => {
        const slice = await api.probability(seriesUid, k);
        if (generation === this.generation) this.probabilities.set(k, slice);
      });
    }
    if (work.length === 0) return false;
    const results = await Promise.allSettled(work);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return true;
  }
}
