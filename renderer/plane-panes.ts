// The two reformatted planes beside the stack (`V`): for an axial CT, the coronal plane through the crosshair's
// image row and the sagittal plane through its column, built from the same decoded slices the stack shows
// (the whole series is fetched into the page's cache once they are on, and the planes fill in as it
// arrives). A nodule reads as a ball in all three views where a vessel runs out of the slice as a tube, which
// is what a reader checks before confirming a flag. The crosshair ties the views: picking on a plane moves the
// stack to that slice and the other plane to that point, selecting a finding centres all three on it, and a
// double click on the stack moves the planes there. Each plane shows the visible findings' masks cut along
// it, in their review colours (and, with Compare readers' outlines on, the other reader's dashed). With the
// stack's thick slab on, each plane is a MIP of the same thickness along its own normal (a coronal slab MIP is
// where a nodule stands out from the vessels). With the brush or eraser on, a drag on a plane paints the
// selected finding there (plane-paint.ts).
import type { FindingInfo, SeriesInfo } from '../src/shared/api-types.ts';
import { formatValue } from './corner-text.ts';
import { PLANE_COLOURS, crosshairLines } from './crosshair.ts';
import { byId } from './dom.ts';
import { findingState } from './finding-state.ts';
import { api } from './api-client.ts';
import { COMPARE_STYLE, maskStyle, maskToRgba, probabilityToRgba, type MaskStyle } from './layer-pixels.ts';
import type { Point } from './mask-brush.ts';
import { OverlayCanvas, type BrushCursor, type OverlayLayer, type OverlayLine } from './overlay-canvas.ts';
import type { PlaneAt } from './plane-stroke.ts';
import type { Rgb } from './layer-pixels.ts';
import type { PaintStage } from './viewport/stack-viewport.ts';
import { CACHE_BYTES } from './viewport/cache-size.ts';
import { planeImage, slicePixels } from './viewport/overread-image-loader.ts';
import { PlanePane } from './viewport/plane-pane.ts';
import {
  planeCount,
  planeMask,
  planeName,
  planeSlab,
  planeSpacing,
  planeMaximum,
  planeWidth,
  rowOfSlice,
  stackPlane,
  stackRows,
  type PlaneAxis,
  type PlaneMaximum,
  type PlaneName,
  type SlicePixels,
  type StackRows,
} from './viewport/reformat.ts';
import type { WindowLevel } from './window-presets.ts';
import type { ComparedMasks } from './other-reader-masks.ts';

/** What the stack shows now, which the planes follow. */
export interface StackView {
  slice: number;
  window: WindowLevel;
  invert: boolean;
  /** The stack's thick slab (0: none): the planes show a MIP of the same thickness along their normals. */
  slabMm: number;
}

/** The findings drawn on the planes, and their masks per slice as the viewer holds them. */
export interface PlaneFindings {
  show: boolean;
  visible: readonly FindingInfo[];
  selected: FindingInfo | null;
  /** Changes whenever masks were fetched again or painted. */
  version: string;
  mask(findingId: number, k: number): Uint8Array | undefined;
  /** Compare readers: the other reader's masks, whose cuts are drawn dashed; null when not asked for. */
  comparison: ComparedMasks | null;
  /**
   * The model's probability map as a heat map under the masks (the stack's `P`): a key that changes whenever the
   * map may have (a new run), or null while it is off or there is no map.
   */
  probability: string | null;
}

/** The brush or eraser on the planes (plane-paint.ts): strokes, and the outline to draw under the pointer. */
export interface PlanePainter {
  paint(plane: PlaneAt, stage: PaintStage, point: Point): void;
  /** The brush: radius in millimetres, and colour. */
  brush(): { radiusMm: number; colour: Rgb };
}

/** Slices per range request while the series is fetched for the planes, and requests in flight at once. */
const RANGE = 16;
const REQUESTS = 2;
/** How long a failed probability cut waits before a draw may ask for it again. */
const HEAT_RETRY_MS = 2000;

interface Pane {
  axis: PlaneAxis;
  view: PlanePane;
  overlay: OverlayCanvas;
  frame: HTMLElement;
  /** The plane index (image row or column), the slab's planes and the slices-loaded count on screen. */
  shown: { index: number; slab: [number, number]; loaded: number } | null;
  /** The values on screen with where each came from: the next slab plane starts from them (planeMaximum). */
  maximum: PlaneMaximum | null;
  pointer: Point | null;
}

export class PlanePanes {
  on = false;
  /** The crosshair's image pixel on the stack (column i, row j); the slice is the stack's own. */
  cross = { column: 0, row: 0 };
  private series: SeriesInfo | null = null;
  private stack: StackRows | null = null;
  private slices: (SlicePixels | undefined)[] = [];
  private loaded = 0;
  private loading: Promise<void> | null = null;
  private failure: string | null = null;
  private frameRequested = false;
  private builds = 0;
  private view: StackView | null = null;
  private findings: PlaneFindings | null = null;
  private painter: PlanePainter | null = null;
  /** Probability cuts by `${axis}:${first}-${last}` for the map keyed `heatKey`; null while one is fetched. */
  private readonly heat = new Map<string, Uint8Array | null>();
  private heatKey: string | null = null;
  private readonly panes: Pane[];
  private readonly container = byId('plane-panes');
  /** A pick on a plane: the stack goes to slice k, the crosshair to (column, row). */
  onNavigate: (k: number, column: number, row: number) => void = () => {};
  onError: (error: unknown) => void = () => {};

  constructor() {
    this.panes = (['row', 'column'] as const).map((axis) => {
      const frame = byId(`plane-${axis}`);
      const view = new PlanePane(frame.querySelector<HTMLElement>('.plane-viewport')!);
      const pane: Pane = {
        axis,
        view,
        overlay: new OverlayCanvas(frame.querySelector<HTMLCanvasElement>('canvas.overlay-canvas')!),
        frame,
        shown: null,
        maximum: null,
        pointer: null,
      };
      view.onRender = () => this.drawOverlay(pane);
      view.onPick = (point) => this.pick(pane, point);
      view.onStep = (delta) => this.step(pane, delta);
      view.onPointer = (point) => {
        pane.pointer = point;
        this.renderCorners(pane);
        if (this.painter) this.drawOverlay(pane); // the brush outline follows the pointer
      };
      return pane;
    });
  }

  /** A new series: planes are rebuilt for it, centred on `cross`. */
  open(series: SeriesInfo, cross: { column: number; row: number }): void {
    this.series = series;
    this.stack = stackRows(series);
    this.slices = new Array<SlicePixels | undefined>(series.slices);
    this.loaded = 0;
    this.loading = null;
    this.failure = null;
    this.cross = { ...cross };
    for (const pane of this.panes) {
      pane.shown = null;
      pane.maximum = null;
      pane.view.clear();
      pane.overlay.invalidate();
    }
    // Fetching starts at the first render, once the stack has its first slice: the reader's first look wins.
  }

  /** Why this series cannot be reformatted, or null when it can. */
  unavailable(): string | null {
    const series = this.series;
    if (!series) return 'no series is open';
    if (!this.stack) return 'this series has no slice positions, which the planes need';
    const acquired = stackPlane(series);
    if (acquired !== 'Axial')
      return `the planes are reformatted from axial stacks, and this series is ${acquired.toLowerCase()}`;
    if (series.photometric === 'RGB') return 'colour images are not reformatted';
    const bytes = series.rows * series.columns * series.slices * 2;
    if (bytes > CACHE_BYTES)
      return `this series (${Math.round(bytes / 2 ** 20)} MB) is larger than the viewer's image memory`;
    return null;
  }

  setOn(on: boolean): void {
    this.on = on;
    this.container.hidden = !on;
    if (on && this.failure) {
      // Turned on again after slices failed to load: fetch what is still missing.
      this.failure = null;
      this.loading = null;
    }
  }

  setCross(column: number, row: number): void {
    const series = this.series;
    if (!series) return;
    this.cross = {
      column: Math.min(series.columns - 1, Math.max(0, Math.round(column))),
      row: Math.min(series.rows - 1, Math.max(0, Math.round(row))),
    };
  }

  /** Follows the stack: its slice (the crosshair's height), window and inversion; the findings to draw. */
  render(view: StackView, findings: PlaneFindings): void {
    this.view = view;
    this.findings = findings;
    if (!this.on || !this.series) return;
    if (this.unavailable()) {
      // Say why in each pane's label (the panes stay open for the next series that has planes).
      for (const pane of this.panes) {
        this.drawOverlay(pane);
        this.renderCorners(pane);
      }
      return;
    }
    this.startLoading();
    for (const pane of this.panes) {
      const index = this.indexOf(pane);
      const slab = planeSlab(this.series, pane.axis, index, view.slabMm);
      const shown = pane.shown;
      if (
        shown?.index !== index ||
        shown.loaded !== this.loaded ||
        shown.slab[0] !== slab[0] ||
        shown.slab[1] !== slab[1]
      )
        this.build(pane, index, slab);
      else pane.view.followWindow(view.window, view.invert);
      this.drawOverlay(pane);
      this.renderCorners(pane);
    }
  }

  /** Left drags on the planes paint through `painter` (the brush and eraser), or pick again with null. */
  setPainter(painter: PlanePainter | null): void {
    this.painter = painter;
    for (const pane of this.panes) {
      pane.view.onPaint = painter
        ? (stage, point) => {
            const plane = this.planeAt(pane);
            if (plane) painter.paint(plane, stage, point);
          }
        : null;
      this.drawOverlay(pane);
    }
  }

  /** The plane a pane shows, as a stroke on it needs it; null before it shows one. */
  private planeAt(pane: Pane): PlaneAt | null {
    const series = this.series;
    const stack = this.stack;
    if (!series || !stack || !pane.shown || this.unavailable()) return null;
    const [rowMm, widthMm] = planeSpacing(series, pane.axis, stack);
    return {
      axis: pane.axis,
      index: pane.shown.index,
      rowSlices: stack.rowSlices,
      rows: series.rows,
      columns: series.columns,
      widthMm,
      aspect: rowMm / widthMm,
      image: pane.view.storedImage(),
    };
  }

  /** The stack's crosshair lines (image pixels of the stack) while the planes are on. */
  stackLines(transform: Parameters<typeof crosshairLines>[2] | null): OverlayLine[] {
    const series = this.series;
    if (!this.on || !series || !transform || this.unavailable()) return [];
    return crosshairLines(
      { x: this.cross.column, y: this.cross.row },
      { columns: series.columns, rows: series.rows },
      transform,
      planeName(series, 'column'),
      planeName(series, 'row'),
    );
  }

  /** Slices needed for a plane through the whole series: fetched in ranges, each stored as it arrives. */
  private startLoading(): void {
    const series = this.series;
    if (!series || this.loading || this.unavailable()) return;
    // Ranges with a slice still missing (all of them at first; after a failure, what did not arrive).
    const ranges: number[] = [];
    for (let from = 0; from < series.slices; from += RANGE) {
      // An index loop, not some(): the slice array starts sparse, and some() skips its holes.
      let missing = false;
      for (let k = from; k < Math.min(from + RANGE, series.slices) && !missing; k++)
        missing = !this.slices[k];
      if (missing) ranges.push(from);
    }
    if (ranges.length === 0) {
      this.loading = Promise.resolve();
      return;
    }
    const worker = async () => {
      for (let from = ranges.shift(); from !== undefined; from = ranges.shift()) {
        if (this.series !== series) return;
        const count = Math.min(RANGE, series.slices - from);
        const pixels = await slicePixels(series, from, count);
        if (this.series !== series) return;
        pixels.forEach((slice, i) => {
          if (!this.slices[from + i]) this.loaded++;
          this.slices[from + i] = slice;
        });
        this.requestFrame();
      }
    };
    this.loading = Promise.all(Array.from({ length: REQUESTS }, worker))
      .then(() => undefined)
      .catch((error: unknown) => {
        if (this.series !== series) return;
        this.failure = (error as Error)?.message ?? String(error);
        this.onError(error);
        this.requestFrame();
      });
  }

  /** Redraws once per animation frame however many ranges arrived. */
  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      if (this.view && this.findings) this.render(this.view, this.findings);
    });
  }

  private indexOf(pane: Pane): number {
    return pane.axis === 'row' ? this.cross.row : this.cross.column;
  }

  private build(pane: Pane, index: number, slab: [number, number]): void {
    const series = this.series!;
    const stack = this.stack!;
    const view = this.view!;
    // Rows not fetched yet show as the window's floor (black), so the plane fills in visibly as they arrive.
    const maximum = planeMaximum(series, pane.axis, slab, stack, (k) => this.slices[k], -1024, pane.maximum);
    pane.maximum = maximum;
    const { values } = maximum;
    const size = { rows: stack.rowSlices.length, columns: planeWidth(series, pane.axis) };
    // A new id per build: cornerstone reuses its rendering of an image id it has just drawn.
    const image = planeImage(
      series,
      `${pane.axis}/${index}/${++this.builds}`,
      values,
      size,
      planeSpacing(series, pane.axis, stack),
    );
    pane.view.show(image, view.window, view.invert, pane.shown === null);
    pane.shown = { index, slab, loaded: this.loaded };
  }

  /** The pane's pixel (x, y) as the stack's slice and crosshair. */
  private pick(pane: Pane, point: Point): void {
    const series = this.series;
    const stack = this.stack;
    if (!series || !stack) return;
    const y = Math.min(stack.rowSlices.length - 1, Math.max(0, Math.round(point.y)));
    const x = Math.min(planeWidth(series, pane.axis) - 1, Math.max(0, Math.round(point.x)));
    const k = stack.rowSlices[y]!;
    if (pane.axis === 'row') this.setCross(x, this.cross.row);
    else this.setCross(this.cross.column, x);
    this.onNavigate(k, this.cross.column, this.cross.row);
  }

  private step(pane: Pane, delta: number): void {
    if (!this.series) return;
    if (pane.axis === 'row') this.setCross(this.cross.column, this.cross.row + delta);
    else this.setCross(this.cross.column + delta, this.cross.row);
    if (this.view && this.findings) this.render(this.view, this.findings);
  }

  private drawOverlay(pane: Pane): void {
    const series = this.series;
    const stack = this.stack;
    const transform = pane.view.transform();
    const canvas = pane.view.canvas;
    const size = { width: canvas.width, height: canvas.height };
    if (!series || !stack || !transform || !pane.shown || !this.view) {
      pane.overlay.draw(size, null, [], null);
      return;
    }
    const columns = planeWidth(series, pane.axis);
    const rows = stack.rowSlices.length;
    const layers: OverlayLayer[] = [];
    const findings = this.findings;
    const heat = this.heatLayer(pane);
    if (heat) layers.push(heat);
    if (findings?.show) {
      for (const finding of findings.visible) {
        const [first, last] = finding.sliceRange;
        // Drawn once every slice of the finding is fetched, never a part of it; slices beyond its range are
        // empty unless painted (held by the page until the findings are listed again).
        const masks = new Map<number, Uint8Array>();
        let complete = true;
        for (let k = 0; k < series.slices && complete; k++) {
          const mask = findings.mask(finding.id, k);
          if (mask) masks.set(k, mask);
          else complete = k < first || k > last;
        }
        if (!complete) continue;
        const state = findingState(finding);
        const selected = finding.id === findings.selected?.id;
        layers.push(
          this.cutLayer(
            pane,
            `${finding.id}:${state}:${selected}:${findings.version}`,
            masks,
            maskStyle(state, selected),
          ),
        );
      }
    }
    if (findings?.show && findings.comparison) layers.push(...this.comparisonLayers(pane, findings));
    const other: PlaneAxis = pane.axis === 'row' ? 'column' : 'row';
    const at = {
      x: pane.axis === 'row' ? this.cross.column : this.cross.row,
      y: rowOfSlice(stack, this.view.slice),
    };
    const lines = crosshairLines(at, { columns, rows }, transform, planeName(series, other), 'Axial');
    pane.overlay.draw(size, transform, layers, this.brushCursor(pane), lines);
  }

  /** The probability cut along the pane's plane (through its slab), fetched once per plane and map. */
  private heatCut(pane: Pane): Uint8Array | null {
    const series = this.series;
    const key = this.findings?.probability ?? null;
    if (!series || !pane.shown || key === null) return null;
    if (key !== this.heatKey) {
      this.heat.clear();
      this.heatKey = key;
    }
    const [first, last] = pane.shown.slab;
    const at = `${pane.axis}:${first}-${last}`;
    const held = this.heat.get(at);
    if (held !== undefined) return held;
    this.heat.set(at, null);
    api.probabilityPlane(series.seriesUid, pane.axis, first, last).then(
      (cut) => {
        if (this.heatKey !== key || this.series !== series) return;
        this.heat.set(at, cut);
        this.drawOverlay(pane);
        this.renderCorners(pane);
      },
      (error: unknown) => {
        this.onError(error);
        // Asked again on a draw once HEAT_RETRY_MS have passed (a busy or restarting server), not on each draw
        // before, so a lasting failure is one message per pause, not one per mouse move.
        setTimeout(() => {
          if (this.heatKey === key && this.heat.get(at) === null) this.heat.delete(at);
        }, HEAT_RETRY_MS);
      },
    );
    return null;
  }

  /** The heat map layer: each plane row shows its slice's row of the cut, as the planes show slices. */
  private heatLayer(pane: Pane): OverlayLayer | null {
    const cut = this.heatCut(pane);
    const stack = this.stack;
    if (!cut || !stack || !pane.shown) return null;
    const columns = planeWidth(this.series!, pane.axis);
    const rows = stack.rowSlices.length;
    return {
      key: `heat:${this.heatKey}:${pane.axis}:${pane.shown.slab[0]}-${pane.shown.slab[1]}`,
      rows,
      columns,
      rgba: () => {
        const plane = new Uint8Array(rows * columns);
        stack.rowSlices.forEach((k, r) =>
          plane.set(cut.subarray(k * columns, (k + 1) * columns), r * columns),
        );
        return probabilityToRgba(plane);
      },
    };
  }

  /**
   * The other reader's outline of each visible finding cut along the plane, dashed as on the slice, once their
   * mask of every slice of the finding's range has arrived (the cut grows no gaps while it loads).
   */
  private comparisonLayers(pane: Pane, findings: PlaneFindings): OverlayLayer[] {
    const comparison = findings.comparison!;
    const layers: OverlayLayer[] = [];
    for (const finding of findings.visible) {
      const [first, last] = finding.sliceRange;
      const masks = new Map<number, Uint8Array>();
      for (let k = first; k <= last; k++) {
        const mask = comparison.mask(finding.id, k);
        if (mask) masks.set(k, mask);
      }
      if (masks.size !== last - first + 1) continue;
      layers.push(
        this.cutLayer(
          pane,
          `compare:${comparison.reader}:${finding.id}:${findings.version}`,
          masks,
          COMPARE_STYLE,
        ),
      );
    }
    return layers;
  }

  /**
   * A finding's masks cut along the pane's plane (through its slab), drawn in `style`. The cut is made only when
   * the layer's key is new (the overlay keeps built layers), not on every frame.
   */
  private cutLayer(
    pane: Pane,
    key: string,
    masks: ReadonlyMap<number, Uint8Array>,
    style: MaskStyle,
  ): OverlayLayer {
    const series = this.series!;
    const stack = this.stack!;
    const { slab } = pane.shown!;
    const columns = planeWidth(series, pane.axis);
    const rows = stack.rowSlices.length;
    return {
      key: `${pane.axis}:${slab[0]}-${slab[1]}:${key}`,
      rows,
      columns,
      rgba: () => {
        const cut = planeMask(series, pane.axis, slab, stack, (k) => masks.get(k));
        return cut ? maskToRgba(cut, rows, columns, style) : new Uint8ClampedArray(rows * columns * 4);
      },
    };
  }

  /** The brush outline under the pointer while painting: round in millimetres, so an ellipse in pixels. */
  private brushCursor(pane: Pane): BrushCursor | null {
    const plane = this.painter && pane.pointer ? this.planeAt(pane) : null;
    if (!plane || !pane.pointer) return null;
    const { radiusMm, colour } = this.painter!.brush();
    const radius = radiusMm / plane.widthMm;
    return { point: pane.pointer, radius, yRadius: radius / plane.aspect, colour };
  }

  private renderCorners(pane: Pane): void {
    const series = this.series;
    const stack = this.stack;
    if (!series) return;
    const name: PlaneName = planeName(series, pane.axis);
    const label = pane.frame.querySelector<HTMLElement>('.plane-label')!;
    const probe = pane.frame.querySelector<HTMLElement>('.plane-probe')!;
    label.style.color = `rgb(${PLANE_COLOURS[name].join(', ')})`;
    const unavailable = this.unavailable();
    const along = pane.axis === 'row' ? 'row' : 'column';
    let text = `${name} · ${along} ${this.indexOf(pane) + 1} / ${planeCount(series, pane.axis)}`;
    const slab = pane.shown?.slab;
    if (this.view && this.view.slabMm > 0 && slab && slab[1] > slab[0])
      text += `\nMIP ${this.view.slabMm} mm · ${along}s ${slab[0] + 1}–${slab[1] + 1}`;
    if (unavailable) text = `${name}: ${unavailable}`;
    else if (this.failure) text += `\nslices failed to load (${this.failure}); press V twice to try again`;
    else if (this.loaded < series.slices) text += `\nloading slices ${this.loaded} / ${series.slices}`;
    if (label.textContent !== text) label.textContent = text;
    let probeText = '';
    const value = pane.pointer ? pane.view.valueAt(pane.pointer) : null;
    if (value && stack) {
      const k = stack.rowSlices[value.y]!;
      const [column, row] = pane.axis === 'row' ? [value.x, this.cross.row] : [this.cross.column, value.x];
      probeText = this.slices[k]
        ? `${formatValue(series.modality, value.value)} at ${column}, ${row} · slice ${k + 1}`
        : `slice ${k + 1} not loaded yet`;
      const cut = this.heatCut(pane);
      const width = planeWidth(series, pane.axis);
      if (cut && this.slices[k]) probeText += ` · p ${(cut[k * width + value.x]! / 255).toFixed(2)}`;
    }
    if (probe.textContent !== probeText) probe.textContent = probeText;
  }
}
