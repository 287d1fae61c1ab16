// One reformatted-plane pane beside the stack: a cornerstone-core enabled element showing whatever plane image
// it is given, in the stack's window and inversion, with its own overlay canvas. Its pointer input is the
// crosshair's: left press or drag picks a point (the other views follow it) — or paints, while the brush or
// eraser is on — the wheel steps the plane, and the pointer's position is reported for the value under it. Zoom and pan: Ctrl+wheel and Shift/middle drag,
// as in the stack. Which plane to show and what to draw over it is decided by plane-panes.ts.
import * as cornerstone from 'cornerstone-core';
import type { Point } from '../mask-brush.ts';
import type { WindowLevel } from '../window-presets.ts';
import { ImageElement } from './image-element.ts';
import type { PaintHandler } from './stack-viewport.ts';

export class PlanePane extends ImageElement {
  /** Left press and drag at a plane pixel. */
  onPick: (point: Point) => void = () => {};
  /** Wheel without Ctrl: step the plane by ±1. */
  onStep: (delta: number) => void = () => {};
  /** While the brush or eraser is on: left drags paint instead of picking. */
  onPaint: PaintHandler | null = null;

  constructor(element: HTMLElement) {
    super(element, true);
  }

  /** Shows `image` in the given window; the first image of a series is fitted to the pane. */
  show(image: cornerstone.CornerstoneImage, window: WindowLevel, invert: boolean, fit: boolean): void {
    const viewport = this.hasImage && !fit ? cornerstone.getViewport(this.element) : undefined;
    cornerstone.displayImage(this.element, image, viewport);
    if (fit || !this.hasImage) cornerstone.fitToWindow(this.element);
    this.hasImage = true;
    this.followWindow(window, invert);
  }

  /** The plane's value at a pixel (modality value), with the pixel; null off the image. */
  valueAt(point: Point): { x: number; y: number; value: number } | null {
    return this.pixelValue(point);
  }

  protected wheel(event: WheelEvent): void {
    event.preventDefault();
    if (!this.hasImage) return;
    if (event.ctrlKey || event.metaKey) this.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1);
    else if (event.deltaY !== 0) this.onStep(event.deltaY > 0 ? 1 : -1);
  }

  protected pointerDown(event: PointerEvent): void {
    if (!this.hasImage) return;
    event.preventDefault();
    this.element.setPointerCapture(event.pointerId);
    const pan = event.button === 1 || event.shiftKey;
    if (!pan && event.button !== 0) return;
    const paint = !pan && !event.ctrlKey ? this.onPaint : null;
    if (paint) return this.paintDrag(event, paint);
    const start = { x: event.clientX, y: event.clientY };
    const startTranslation = { ...cornerstone.getViewport(this.element)!.translation };
    const pick = (e: PointerEvent) => {
      const point = this.toImage(e);
      if (point) this.onPick(point);
    };
    if (!pan) pick(event);
    const move = (e: PointerEvent) => {
      if (!pan) return pick(e);
      const scale = cornerstone.getViewport(this.element)!.scale;
      cornerstone.setViewport(this.element, {
        translation: {
          x: startTranslation.x + (e.clientX - start.x) / scale,
          y: startTranslation.y + (e.clientY - start.y) / scale,
        },
      });
    };
    const up = () => {
      this.element.removeEventListener('pointermove', move);
      this.element.removeEventListener('pointerup', up);
      this.element.removeEventListener('pointercancel', up);
    };
    this.element.addEventListener('pointermove', move);
    this.element.addEventListener('pointerup', up);
    this.element.addEventListener('pointercancel', up);
  }

  /** A left drag with the brush or eraser: start, each move, end, in plane pixels. */
  private paintDrag(event: PointerEvent, paint: PaintHandler): void {
    const first = this.toImage(event);
    if (!first) return;
    let last = first;
    paint('start', first);
    const move = (e: PointerEvent) => {
      const point = this.toImage(e);
      if (!point) return;
      last = point;
      paint('move', point);
    };
    const up = () => {
      this.element.removeEventListener('pointermove', move);
      this.element.removeEventListener('pointerup', up);
      this.element.removeEventListener('pointercancel', up);
      paint('end', last);
    };
    this.element.addEventListener('pointermove', move);
    this.element.addEventListener('pointerup', up);
    this.element.addEventListener('pointercancel', up);
  }

  /** Forgets the image (another series opens): the next one is fitted again. */
  clear(): void {
    this.hasImage = false;
    const canvas = this.canvas;
    const context = canvas.getContext('2d');
    context?.setTransform(1, 0, 0, 1, 0, 0);
    context?.clearRect(0, 0, canvas.width, canvas.height); // the last series' plane must not linger
  }
}
