// What the stack viewer and the plane panes share: one cornerstone-core enabled element with its input wired
// (wheel, pointer press, the pointer's image position, no context menu), kept fitted to its box, and the
// questions both answer about the image on screen — its pixel under a point, its value there, its pixel →
// canvas transform. Subclasses decide what the wheel and a press do.
import * as cornerstone from 'cornerstone-core';
import type { Point } from '../mask-brush.ts';
import type { StoredImage } from '../paint-range.ts';
import type { WindowLevel } from '../window-presets.ts';
import type { Matrix } from '../overlay-canvas.ts';

export abstract class ImageElement {
  /** Whether an image has been displayed (cornerstone's viewport exists only then). */
  protected hasImage = false;
  private readonly resizeObserver: ResizeObserver;
  /** Called after every render (image, window, zoom, pan or size changed). */
  onRender: () => void = () => {};
  /** The image pixel under the pointer, or null when it leaves. */
  onPointer: (point: Point | null) => void = () => {};

  constructor(
    readonly element: HTMLElement,
    /** Fit the image to the box again when the box resizes (the panes), or keep the reader's zoom (the stack). */
    refitOnResize: boolean,
  ) {
    cornerstone.enable(element);
    element.addEventListener(cornerstone.EVENTS.IMAGE_RENDERED, () => this.onRender());
    element.addEventListener('wheel', (event) => this.wheel(event), { passive: false });
    element.addEventListener('pointerdown', (event) => this.pointerDown(event));
    element.addEventListener('pointermove', (event) => this.onPointer(this.toImage(event)));
    element.addEventListener('pointerleave', () => this.onPointer(null));
    element.addEventListener('contextmenu', (event) => event.preventDefault());
    this.resizeObserver = new ResizeObserver(() => {
      if (refitOnResize && !this.hasImage) return;
      cornerstone.resize(element, refitOnResize);
      this.onRender();
    });
    this.resizeObserver.observe(element);
  }

  protected abstract wheel(event: WheelEvent): void;
  protected abstract pointerDown(event: PointerEvent): void;

  get canvas(): HTMLCanvasElement {
    return cornerstone.getEnabledElement(this.element).canvas;
  }

  /** The stored value at image pixel `point` mapped back to its modality value, with the pixel; null off it. */
  protected pixelValue(point: Point): { x: number; y: number; value: number } | null {
    const image = this.hasImage ? cornerstone.getEnabledElement(this.element).image : undefined;
    if (!image) return null;
    const x = Math.round(point.x);
    const y = Math.round(point.y);
    if (x < 0 || y < 0 || x >= image.columns || y >= image.rows) return null;
    return { x, y, value: image.getPixelData()[y * image.columns + x]! * image.slope + image.intercept };
  }

  /**
   * Shows the image in `window` and `invert` (a view following another's: the stack's planes and prior);
   * only when they differ, as each change redraws.
   */
  followWindow(window: WindowLevel, invert: boolean): void {
    if (!this.hasImage) return;
    const viewport = cornerstone.getViewport(this.element)!;
    if (
      viewport.voi.windowWidth === window.width &&
      viewport.voi.windowCenter === window.center &&
      viewport.invert === invert
    )
      return;
    cornerstone.setViewport(this.element, {
      voi: { windowWidth: window.width, windowCenter: window.center },
      invert,
    });
  }

  /** The stored pixels of the image on screen (a slice, a projection or a plane), or null before one. */
  storedImage(): StoredImage | null {
    const image = this.hasImage ? cornerstone.getEnabledElement(this.element).image : undefined;
    return image ? { pixels: image.getPixelData(), slope: image.slope, intercept: image.intercept } : null;
  }

  /** Image-pixel → canvas transform (a, b, c, d, e, f), for drawing overlays pixel-aligned with the image. */
  transform(): Matrix | null {
    const enabled = this.hasImage ? cornerstone.getEnabledElement(this.element) : undefined;
    if (!enabled?.image) return null;
    return cornerstone.internal.getTransform(enabled).m;
  }

  /** Zooms by `factor` about the centre, within 0.1× … 40×. */
  zoomBy(factor: number): void {
    const viewport = this.hasImage ? cornerstone.getViewport(this.element) : undefined;
    if (viewport)
      cornerstone.setViewport(this.element, { scale: Math.min(40, Math.max(0.1, viewport.scale * factor)) });
  }

  protected toImage(event: MouseEvent): Point | null {
    if (!this.hasImage) return null;
    const point = cornerstone.pageToPixel(this.element, event.pageX, event.pageY);
    // pageToPixel gives the continuous coordinate; pixel (c, r) covers [c, c+1) — centres sit at +0.5.
    return { x: point.x - 0.5, y: point.y - 0.5 };
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    cornerstone.disable(this.element);
  }
}
