// The stack viewer: one cornerstone-core enabled element showing slice k of a series, or a thick-slab MIP
// centred on it, with the reading-room interactions — wheel and keys to scroll, drag for window/level,
// Ctrl+drag or Ctrl+wheel to zoom, Shift/middle drag to pan, invert, reset, cine — and neighbouring slices
// prefetched. Painting tools and the ruler get the left button through `setPaintHandler`; everything they
// draw goes on the overlay canvas, not here.
import * as cornerstone from 'cornerstone-core';
import type { SeriesInfo } from '../../src/shared/api-types.ts';
import { dragWindowLevel, type WindowLevel } from '../window-presets.ts';
import type { Point } from '../mask-brush.ts';
import {
  loadRange,
  projectionImage,
  registerSeries,
  sliceImage,
  slicePixels,
} from './overread-image-loader.ts';
import { slabMaximum, slabRange, type SlabMaximum } from './slab-projection.ts';
import { CACHE_BYTES } from './cache-size.ts';
import { ImageElement } from './image-element.ts';

export type PaintStage = 'start' | 'move' | 'end';
export type PaintHandler = (stage: PaintStage, point: Point) => void;

export interface ViewState {
  slice: number;
  window: WindowLevel;
  zoom: number;
  invert: boolean;
  /** The image pixel (column, row; continuous, centres at integers) at the middle of the canvas. */
  centre: { column: number; row: number };
}

const PREFETCH = 3;
/** Slices per prefetch request (16 × 512² int16 = 8 MiB). */
const RANGE = 16;
/** Background range requests in flight at once: enough to keep the server's decode workers busy. */
const PREFETCH_REQUESTS = 2;
/** Projections kept for scrolling back and forth (each one slice's worth of memory). */
const PROJECTIONS_KEPT = 12;

export class StackViewport extends ImageElement {
  private series: SeriesInfo | null = null;
  private current = 0;
  private requested = 0;
  private cineTimer: ReturnType<typeof setInterval> | null = null;
  private paintHandler: PaintHandler | null = null;
  /** Thickness of the MIP slab shown, mm; 0 shows single slices. */
  private slab = 0;
  private readonly projections = new Map<string, cornerstone.CornerstoneImage>();
  /** The latest slab maximum computed for this series: the next slab starts from it (slabMaximum). */
  private lastMaximum: SlabMaximum | null = null;
  onError: (error: unknown) => void = () => {};

  constructor(element: HTMLElement) {
    super(element, false);
  }

  get slice(): number {
    return this.current;
  }

  get sliceCount(): number {
    return this.series?.slices ?? 0;
  }

  get slabMm(): number {
    return this.slab;
  }

  /** The slices the slab on screen covers (first, last), or null while single slices are shown. */
  slabSlices(): [number, number] | null {
    if (!this.series || this.slab <= 0) return null;
    return slabRange(this.series.slicePositionsMm, this.current, this.slab);
  }

  /** Shows a thick-slab MIP of `mm` centred on the current slice from now on (0: single slices again). */
  setSlab(mm: number): Promise<void> {
    this.slab = Math.max(0, mm);
    return this.showSlice(this.requested);
  }

  async open(series: SeriesInfo, slice = 0): Promise<void> {
    this.stopCine();
    this.series = series;
    registerSeries(series);
    this.projections.clear();
    this.lastMaximum = null;
    // A slab chosen on an earlier series goes on, unless this one has no slice positions to build it from.
    if (series.slicePositionsMm.length <= 1) this.slab = 0;
    this.hasImage = false;
    await this.showSlice(slice);
  }

  /** Takes newer series metadata (status, probability map) without reloading what is on screen. */
  async refreshSeries(series: SeriesInfo): Promise<SeriesInfo> {
    if (this.series?.seriesUid === series.seriesUid) {
      this.series = series;
      registerSeries(series);
    }
    return series;
  }

  async showSlice(k: number): Promise<void> {
    const series = this.series;
    if (!series) return;
    const slice = Math.min(series.slices - 1, Math.max(0, Math.round(k)));
    this.requested = slice;
    try {
      const image = await (this.slab > 0 ? this.loadProjection(series, slice) : sliceImage(series, slice));
      if (this.series !== series) return;
      // A later scroll may have overtaken this load. It is still shown when it lies between the slice on
      // screen and the one asked for, so a fast scroll over uncached slices moves instead of freezing.
      if (
        this.requested !== slice &&
        !(this.hasImage && (slice - this.current) * (this.requested - slice) > 0)
      )
        return;
      const viewport = this.hasImage ? cornerstone.getViewport(this.element) : undefined;
      cornerstone.displayImage(this.element, image, viewport);
      this.hasImage = true;
      const direction = slice - this.current;
      this.current = slice;
      this.prefetch(series, slice, direction);
    } catch (error) {
      this.onError(error);
    }
  }

  /**
   * The MIP of the slab centred on slice k: its slices loaded in one range request where they are not cached
   * yet, then their maximum — from the previous slab's, which shares most of its slices. The last few are kept,
   * so scrolling back does not compute them again.
   */
  private async loadProjection(series: SeriesInfo, k: number): Promise<cornerstone.CornerstoneImage> {
    const slab = this.slab;
    const [first, last] = slabRange(series.slicePositionsMm, k, slab);
    if (first === last) return sliceImage(series, k);
    const key = `${k}/${slab}`;
    const kept = this.projections.get(key);
    if (kept) return kept;
    const pixels = await slicePixels(series, first, last - first + 1);
    // The latest maximum belongs to this series only while it is still the one open (open() forgets it).
    const open = this.series === series;
    const maximum = slabMaximum(first, pixels, open ? this.lastMaximum : null);
    const image = projectionImage(series, k, slab, maximum.values);
    if (open) {
      this.lastMaximum = maximum;
      this.projections.set(key, image);
      if (this.projections.size > PROJECTIONS_KEPT)
        this.projections.delete(this.projections.keys().next().value!);
    }
    return image;
  }

  /**
   * The modality value shown at image pixel `point` (of the projection while a slab is shown), with the pixel's
   * column and row; null off the image.
   */
  valueAt(point: Point): { column: number; row: number; value: number } | null {
    const pixel = this.pixelValue(point);
    return pixel && { column: pixel.x, row: pixel.y, value: pixel.value };
  }

  scrollBy(delta: number): Promise<void> {
    return this.showSlice(this.requested + delta);
  }

  /**
   * Loads the rest of the stack in the background, nearest slices first, in ranges of RANGE slices per
   * request (one request per few MB: a stack arrives while the reader scrolls, without a request's overhead
   * per slice), a few requests at a time. Restarted from each shown slice (the order follows the reader:
   * ranges ahead of it in the direction of travel first); a series too large for the image cache is
   * prefetched only within a window around the slice.
   */
  private prefetch(series: SeriesInfo, k: number, direction: number): void {
    const bytesPerSlice = series.rows * series.columns * 4;
    const radius = Math.max(PREFETCH, Math.floor((0.8 * CACHE_BYTES) / bytesPerSlice / 2));
    const ahead = direction < 0 ? -1 : 1;
    const order: number[] = []; // (first slice, count) of each range, flattened
    for (let d = 0; d * RANGE <= radius; d++) {
      const forward = k + ahead * (1 + d * RANGE);
      const backward = k - ahead * (1 + d * RANGE);
      for (const start of [forward, backward]) {
        const first = ahead > 0 === (start === forward) ? start : start - RANGE + 1;
        const from = Math.max(0, first);
        const to = Math.min(series.slices, first + RANGE);
        if (to > from) order.push(from, to - from);
      }
    }
    // The workers are shared across restarts: a restart replaces what they fetch next, so fast scrolling
    // never stacks up requests beyond PREFETCH_REQUESTS.
    this.prefetchQueue = { series, order, next: 0 };
    // A bounded loop: a worker with nothing left to fetch returns at once (a one-slice series has no range,
    // a short one opened at its end has one), so waiting for PREFETCH_REQUESTS of them to be busy spun forever.
    for (let started = this.prefetchWorkers; started < PREFETCH_REQUESTS; started++)
      void this.prefetchWorker();
  }

  private prefetchQueue: { series: SeriesInfo; order: number[]; next: number } | null = null;
  private prefetchWorkers = 0;

  private async prefetchWorker(): Promise<void> {
    this.prefetchWorkers++;
    try {
      for (;;) {
        const queue = this.prefetchQueue;
        if (!queue || queue.series !== this.series || queue.next >= queue.order.length) return;
        const from = queue.order[queue.next++]!;
        const count = queue.order[queue.next++]!;
        // Failures here surface when the slice is shown (loaded alone then); a prefetch raises no toast.
        await loadRange(queue.series.seriesUid, from, count).catch(() => undefined);
      }
    } finally {
      this.prefetchWorkers--;
    }
  }

  viewState(): ViewState | null {
    const viewport = this.hasImage ? cornerstone.getViewport(this.element) : undefined;
    const image = viewport && cornerstone.getEnabledElement(this.element).image;
    if (!viewport || !image) return null;
    return {
      slice: this.current,
      window: { width: viewport.voi.windowWidth, center: viewport.voi.windowCenter },
      zoom: viewport.scale,
      invert: viewport.invert,
      // cornerstone's translation moves the image from centred: the canvas middle shows its centre minus it.
      centre: {
        column: image.columns / 2 - viewport.translation.x - 0.5,
        row: image.rows / 2 - viewport.translation.y - 0.5,
      },
    };
  }

  setWindow(window: WindowLevel): void {
    if (!this.hasImage) return;
    cornerstone.setViewport(this.element, {
      voi: { windowWidth: window.width, windowCenter: window.center },
    });
  }

  toggleInvert(): void {
    const viewport = this.hasImage ? cornerstone.getViewport(this.element) : undefined;
    if (viewport) cornerstone.setViewport(this.element, { invert: !viewport.invert });
  }

  reset(): void {
    if (this.hasImage) cornerstone.reset(this.element);
  }

  /**
   * Brings image pixel (column, row) into view: when it already lies well inside the canvas the view is left
   * alone (a reader keeps their framing); otherwise the view pans to put it in the middle.
   */
  bringIntoView(column: number, row: number): void {
    const enabled = this.hasImage ? cornerstone.getEnabledElement(this.element) : undefined;
    if (!enabled?.image) return;
    const at = cornerstone.pixelToCanvas(this.element, { x: column + 0.5, y: row + 0.5 });
    const { width, height } = enabled.canvas;
    const margin = 0.15;
    const inside =
      at.x > width * margin &&
      at.x < width * (1 - margin) &&
      at.y > height * margin &&
      at.y < height * (1 - margin);
    if (inside) return;
    cornerstone.setViewport(this.element, {
      translation: { x: enabled.image.columns / 2 - column - 0.5, y: enabled.image.rows / 2 - row - 0.5 },
    });
  }

  get cinePlaying(): boolean {
    return this.cineTimer !== null;
  }

  startCine(fps: number): void {
    this.stopCine();
    const interval = 1000 / Math.min(60, Math.max(1, fps));
    this.cineTimer = setInterval(() => {
      const next = this.current + 1 >= this.sliceCount ? 0 : this.current + 1;
      void this.showSlice(next);
    }, interval);
  }

  stopCine(): void {
    if (this.cineTimer) clearInterval(this.cineTimer);
    this.cineTimer = null;
  }

  setPaintHandler(handler: PaintHandler | null): void {
    this.paintHandler = handler;
    this.element.classList.toggle('painting', handler !== null);
  }

  protected wheel(event: WheelEvent): void {
    event.preventDefault();
    if (event.ctrlKey || event.metaKey) {
      this.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1);
    } else if (event.deltaY !== 0) {
      void this.scrollBy(event.deltaY > 0 ? 1 : -1);
    }
  }

  protected pointerDown(event: PointerEvent): void {
    if (!this.hasImage) return;
    event.preventDefault();
    this.element.setPointerCapture(event.pointerId);
    const start = { x: event.clientX, y: event.clientY };
    const viewport = cornerstone.getViewport(this.element)!;
    const startWindow = { width: viewport.voi.windowWidth, center: viewport.voi.windowCenter };
    const startScale = viewport.scale;
    const startTranslation = { ...viewport.translation };
    const paint = event.button === 0 && !event.shiftKey && !event.ctrlKey ? this.paintHandler : null;
    const mode = paint
      ? 'paint'
      : event.button === 1 || event.shiftKey
        ? 'pan'
        : event.ctrlKey || event.metaKey
          ? 'zoom'
          : 'window';
    if (paint) {
      const point = this.toImage(event);
      if (point) paint('start', point);
    }
    const move = (e: PointerEvent) => {
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (mode === 'paint') {
        const point = this.toImage(e);
        if (point) paint!('move', point);
      } else if (mode === 'window') {
        this.setWindow(dragWindowLevel(startWindow, dx, dy));
      } else if (mode === 'zoom') {
        cornerstone.setViewport(this.element, {
          scale: Math.min(40, Math.max(0.1, startScale * Math.exp(-dy / 200))),
        });
      } else {
        const scale = cornerstone.getViewport(this.element)!.scale;
        cornerstone.setViewport(this.element, {
          translation: { x: startTranslation.x + dx / scale, y: startTranslation.y + dy / scale },
        });
      }
    };
    const up = (e: PointerEvent) => {
      this.element.removeEventListener('pointermove', move);
      this.element.removeEventListener('pointerup', up);
      this.element.removeEventListener('pointercancel', up);
      if (mode === 'paint') {
        const point = this.toImage(e);
        paint!('end', point ?? { x: -1, y: -1 });
      }
    };
    this.element.addEventListener('pointermove', move);
    this.element.addEventListener('pointerup', up);
    this.element.addEventListener('pointercancel', up);
  }

  override destroy(): void {
    this.stopCine();
    super.destroy();
  }
}
