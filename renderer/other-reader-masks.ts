// Another reader's masks, fetched on request and held while the series is open, for the dashed outlines of
// "Compare readers" on the slice and on the planes (GET /api/findings/{id}/mask/{k}?reader=NAME). Only
// findings that reader kept are fetched: a rejected finding has no outline to compare.
import { api } from './api-client.ts';

export interface Comparison {
  reader: string;
  /** Findings the other reader kept (confirmed, corrected, added). */
  kept: ReadonlySet<number>;
}

/** Another reader's masks as the overlays draw them: by finding and slice, undefined until arrived. */
export interface ComparedMasks {
  reader: string;
  mask(findingId: number, k: number): Uint8Array | undefined;
}

export class OtherReaderMasks {
  private readonly masks = new Map<string, Uint8Array>();
  private readonly loading = new Set<string>();
  private generation = 0;

  /** Another series opened: forget every mask, and drop the answers still on their way. */
  clear(): void {
    this.masks.clear();
    this.loading.clear();
    this.generation++;
  }

  /** The other reader's mask of a finding on slice k, when it was kept and has arrived. */
  get(comparison: Comparison, findingId: number, k: number): Uint8Array | undefined {
    return comparison.kept.has(findingId) ? this.masks.get(key(comparison.reader, findingId, k)) : undefined;
  }

  /** The masks held for `comparison`, for the slice's and the planes' overlays. */
  view(comparison: Comparison): ComparedMasks {
    return { reader: comparison.reader, mask: (findingId, k) => this.get(comparison, findingId, k) };
  }

  /** Fetches the masks of these (finding, slice) pairs not held yet; resolves true when any arrived. */
  async load(comparison: Comparison, wanted: Iterable<[findingId: number, k: number]>): Promise<boolean> {
    const generation = this.generation;
    const loads: Promise<boolean>[] = [];
    for (const [findingId, k] of wanted) {
      const id = key(comparison.reader, findingId, k);
      if (!comparison.kept.has(findingId) || this.masks.has(id) || this.loading.has(id)) continue;
      this.loading.add(id);
      loads.push(
        api
          .mask(findingId, k, comparison.reader)
          .then((mask) => {
            if (generation !== this.generation) return false;
            this.masks.set(id, mask);
            return true;
          })
          .finally(() => this.loading.delete(id)),
      );
    }
    return (await Promise.all(loads)).some(Boolean);
  }
}

const key = (reader: string, findingId: number, k: number) => `${reader}:${findingId}:${k}`;
