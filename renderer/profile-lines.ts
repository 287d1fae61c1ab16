// The findings panel's line about the selected finding's axes and density: src/shared/finding-profile.ts measures
// them from the finding's masks and the decoded slices the page holds (fetched here where missing); the line
// is kept per finding and mask version, so an edit computes it again and nothing else does.
import type { FindingInfo, SeriesInfo } from '../src/shared/api-types.ts';
import { findingProfile } from '../src/shared/finding-profile.ts';
import { formatProfile } from './profile-text.ts';
import { slicePixels } from './viewport/overread-image-loader.ts';

export class ProfileLines {
  /** Line by `${finding id}:${mask version}`; null while computing, or where there is nothing to measure. */
  private readonly lines = new Map<string, string | null>();

  constructor(
    /** The finding's mask on slice k, as the viewer holds it. */
    private readonly mask: (finding: FindingInfo, k: number) => Promise<Uint8Array>,
    /** A line became ready: redraw the panel. */
    private readonly onReady: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  clear(): void {
    this.lines.clear();
  }

  /** The line of `finding` at mask version `version`, or null until it is computed (which starts here). */
  line(series: SeriesInfo, finding: FindingInfo, version: string): string | null {
    if (series.photometric === 'RGB') return null;
    const key = `${finding.id}:${version}`;
    if (this.lines.has(key)) return this.lines.get(key)!;
    this.lines.set(key, null);
    void this.compute(series, finding, key);
    return null;
  }

  private async compute(series: SeriesInfo, finding: FindingInfo, key: string): Promise<void> {
    try {
      const [first, last] = finding.sliceRange;
      const pixels = await slicePixels(series, first, last - first + 1);
      const masks = new Map<number, Uint8Array>();
      for (let k = first; k <= last; k++) masks.set(k, await this.mask(finding, k));
      const profile = findingProfile(masks, (k) => pixels[k - first], series);
      if (!profile || !this.lines.has(key)) return; // nothing to measure, or another series since
      this.lines.set(key, formatProfile(profile, series.modality));
      this.onReady();
    } catch (error) {
      this.onError(error); // once: the key stays, so the panel does not ask again for this version
    }
  }
}
