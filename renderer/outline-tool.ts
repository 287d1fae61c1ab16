// The outline tool (O): a click inside a nodule the model missed asks the API to outline it in 3-D
// (POST /api/series/{uid}/findings/outline — the voxels within the range under the tool's banner, connected to
// the click, freed from a vessel or the chest wall) and adds it as the reader's finding, selected, with a toast
// saying how big it came out, over which slices, and how it was freed. One click, one request: a second click
// while the first is answered is ignored rather than queued, so a double click does not add a nodule twice
// (the API would refuse the second anyway, naming the first). Ctrl+Z takes the outline back.
import type { OutlineInfo } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import type { Point } from './mask-brush.ts';
import { showError, showInfo } from './toasts.ts';
import type { ViewerPage } from './viewer-page.ts';

let busy = false;

export async function outlineAt(viewer: ViewerPage, point: Point): Promise<void> {
  const series = viewer.series;
  if (!series || busy) return;
  const column = Math.floor(point.x);
  const row = Math.floor(point.y);
  if (column < 0 || row < 0 || column >= series.columns || row >= series.rows) return;
  busy = true;
  try {
    const outline = await api.outlineNodule(series.seriesUid, {
      slice: viewer.viewport.slice,
      point: [column, row],
      range: [viewer.paintRange.low, viewer.paintRange.high],
    });
    await viewer.reloadFindings();
    viewer.select(outline.finding.id, false);
    showInfo(outlineMessage(outline));
  } catch (error) {
    showError(error);
  } finally {
    busy = false;
  }
}

/** "Outlined finding 7: 8.4 mm, slices 40–46, freed from a vessel. Ctrl+Z undoes it." */
function outlineMessage(outline: OutlineInfo): string {
  const { finding, separation } = outline;
  const [first, last] = finding.sliceRange.map((k) => k + 1);
  const slices = first === last ? `slice ${first}` : `slices ${first}–${last}`;
  const how =
    separation.kind === 'opening'
      ? ', freed from a vessel it touches'
      : separation.kind === 'wall'
        ? ', cut from the chest wall or mediastinum it lies on'
        : separation.kind === 'sphere'
          ? `, cut ${separation.mm.toFixed(0)} mm around its middle from what it touches — check its edge (E trims it)`
          : '';
  return `Outlined finding ${finding.id}: ${finding.diameterMm.toFixed(1)} mm, ${slices}${how}. Ctrl+Z undoes it.`;
}
