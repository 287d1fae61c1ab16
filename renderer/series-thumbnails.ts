// The strip of series thumbnails in the viewer: every series of the open study (from the worklist), each its
// middle slice in its own window, the open one marked; clicking one opens it. Thumbnails are drawn once per
// series and kept; a failed thumbnail says so in its label rather than raising a toast per series.
import type { WorklistItem } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { thumbnailPixels } from './thumbnail-pixels.ts';

const SIZE = 72;

export class SeriesThumbnails {
  private readonly drawn = new Map<string, HTMLCanvasElement>();
  private readonly strip = byId('series-strip');

  constructor(private readonly onOpen: (item: WorklistItem) => void) {}

  render(series: readonly WorklistItem[], openUid: string): void {
    const buttons = series.map((item, index) => {
      const canvas = this.thumbnail(item.seriesUid);
      const label = item.seriesDescription || `Series ${index + 1}`;
      const button = element(
        'button',
        {
          className: 'series-thumb',
          attributes: {
            type: 'button',
            'aria-label': `Series: ${label}, ${item.instances} images`,
            title: `${label} — ${item.instances} images`,
            ...(item.seriesUid === openUid ? { 'aria-current': 'true' } : {}),
          },
        },
        [canvas, element('span', { className: 'series-thumb-label', text: label })],
      );
      button.addEventListener('click', () => {
        if (item.seriesUid !== openUid) this.onOpen(item);
      });
      return button;
    });
    this.strip.replaceChildren(...buttons);
    this.strip.hidden = buttons.length === 0;
  }

  private thumbnail(seriesUid: string): HTMLCanvasElement {
    const existing = this.drawn.get(seriesUid);
    if (existing) return existing;
    const canvas = element('canvas', { attributes: { 'aria-hidden': 'true' } });
    canvas.width = SIZE;
    canvas.height = SIZE;
    this.drawn.set(seriesUid, canvas);
    void this.draw(seriesUid, canvas);
    return canvas;
  }

  private async draw(seriesUid: string, canvas: HTMLCanvasElement): Promise<void> {
    try {
      const info = await api.series(seriesUid);
      const slice = await api.slice(seriesUid, Math.floor(info.slices / 2));
      const pixels = thumbnailPixels(
        slice.pixels,
        slice.rows,
        slice.columns,
        { width: info.windowWidth, center: info.windowCenter },
        SIZE,
        info.photometric === 'MONOCHROME1',
      );
      canvas.width = pixels.width;
      canvas.height = pixels.height;
      const image = new ImageData(pixels.width, pixels.height);
      image.data.set(pixels.rgba);
      canvas.getContext('2d')!.putImageData(image, 0, 0);
    } catch (error) {
      this.drawn.delete(seriesUid); // try again next time the strip is shown
      canvas.title = `No preview: ${(error as Error).message}`;
    }
  }
}
