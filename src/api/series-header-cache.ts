// Owns keeping the last few series' header indexes parsed: the store keeps a series' index (every instance's
// header) as one JSON document, and parsing it costs milliseconds for a few hundred slices — on every slice
// request while scrolling, that would be most of the request. Entries are dropped when the series is imported
// again through this API.
import type { StoredSeries } from '../dataset/dataset-types.ts';
import type { IndexedSeries } from '../dicom/index/index.ts';

export class SeriesHeaderCache {
  private readonly entries = new Map<string, IndexedSeries>();

  constructor(private readonly capacity = 16) {}

  get(series: StoredSeries): IndexedSeries {
    const cached = this.entries.get(series.seriesUid);
    if (cached) {
      // Most recently used last, so the first key is the one to evict.
      this.entries.delete(series.seriesUid);
      this.entries.set(series.seriesUid, cached);
      return cached;
    }
    const indexed = series.indexed;
    this.entries.set(series.seriesUid, indexed);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return indexed;
  }

  forget(seriesUids: Iterable<string>): void {
    for (const uid of seriesUids) this.entries.delete(uid);
  }
}
