// Draws the overlay canvas that sits exactly above cornerstone's canvas: finding masks, the probability heat
// map, the draft of a finding being added, the brush outline and ruler lines — all in image pixels, mapped to
// the screen with the viewport's own transform so they stay aligned through zoom, pan and resize (ruler labels
// are drawn at screen size beside their line's end).
import type { Point } from './mask-brush.ts';
import type { Rgb } from './layer-pixels.ts';

export type Matrix = [number, number, number, number, number, number];

export interface OverlayLayer {
  /** Stable key of this layer's pixels, so unchanged layers are not rebuilt on every frame. */
  key: string;
  rows: number;
  columns: number;
  rgba: () => Uint8ClampedArray;
}

/** A ruler line from a to b (image pixel centres) with its label; a guide (crosshair) is a bare thin line. */
export interface OverlayLine {
  a: Point;
  b: Point;
  label: string;
  colour: Rgb;
  guide?: boolean;
}

export interface BrushCursor {
  point: Point;
  radius: number;
  /** The radius in rows where pixels are not square (a reformatted plane); `radius` otherwise. */
  yRadius?: number;
  colour: Rgb;
}

export class OverlayCanvas {
  private readonly cache = new Map<string, HTMLCanvasElement>();
  /** Whether anything is drawn on the canvas now. */
  private dirty = false;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  private layerCanvas(layer: OverlayLayer): HTMLCanvasElement {
    let cached = this.cache.get(layer.key);
    if (!cached) {
      cached = document.createElement('canvas');
      cached.width = layer.columns;
      cached.height = layer.rows;
      const context = cached.getContext('2d')!;
      const pixels = new ImageData(layer.columns, layer.rows);
      pixels.data.set(layer.rgba());
      context.putImageData(pixels, 0, 0);
      if (this.cache.size > 400) this.cache.clear(); // a few hundred small canvases at most
      this.cache.set(layer.key, cached);
    }
    return cached;
  }

  /** Forgets cached pixels whose key starts with `prefix` (a mask was edited). */
  invalidate(prefix = ''): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  draw(
    size: { width: number; height: number },
    transform: Matrix | null,
    layers: OverlayLayer[],
    brush: BrushCursor | null,
    lines: readonly OverlayLine[] = [],
  ): void {
    const resized = this.canvas.width !== size.width || this.canvas.height !== size.height;
    if (this.canvas.width !== size.width) this.canvas.width = size.width;
    if (this.canvas.height !== size.height) this.canvas.height = size.height;
    // Nothing to draw over an already clear canvas (scrolling past slices with no finding): skip the clear.
    const empty = layers.length === 0 && !brush && lines.length === 0;
    if (empty && !this.dirty && !resized) return;
    this.dirty = !empty;
    const context = this.canvas.getContext('2d')!;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!transform) return;
    context.setTransform(...transform);
    context.imageSmoothingEnabled = false; // mask pixels stay crisp squares when zoomed
    for (const layer of layers) context.drawImage(this.layerCanvas(layer), 0, 0);
    if (brush) {
      const [r, g, b] = brush.colour;
      context.beginPath();
      const { x, y } = brush.point;
      context.ellipse(x + 0.5, y + 0.5, brush.radius, brush.yRadius ?? brush.radius, 0, 0, 2 * Math.PI);
      context.strokeStyle = `rgb(${r}, ${g}, ${b})`;
      context.lineWidth = 1 / Math.max(1e-3, Math.hypot(transform[0], transform[1]));
      context.stroke();
    }
    if (lines.length > 0) drawLines(context, transform, lines);
  }
}

/** Ruler lines in screen space (1.5 px wide at any zoom), each with end ticks and its label beside its end. */
function drawLines(
  context: CanvasRenderingContext2D,
  transform: Matrix,
  lines: readonly OverlayLine[],
): void {
  const [a, b, c, d, e, f] = transform;
  const toScreen = (p: Point) => ({
    x: a * (p.x + 0.5) + c * (p.y + 0.5) + e,
    y: b * (p.x + 0.5) + d * (p.y + 0.5) + f,
  });
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.font = '13px sans-serif';
  context.lineWidth = 1.5;
  for (const line of lines) {
    const [r, g, bl] = line.colour;
    const colour = `rgb(${r}, ${g}, ${bl})`;
    const from = toScreen(line.a);
    const to = toScreen(line.b);
    if (line.guide) {
      // On a device pixel's centre, so the 1 px line keeps its exact colour instead of blending over two.
      const crisp = (v: number) => Math.floor(v) + 0.5;
      context.strokeStyle = colour;
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(crisp(from.x), crisp(from.y));
      context.lineTo(crisp(to.x), crisp(to.y));
      context.stroke();
      context.lineWidth = 1.5;
      continue;
    }
    context.strokeStyle = colour;
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    for (const end of [from, to]) {
      context.moveTo(end.x - 3, end.y);
      context.lineTo(end.x + 3, end.y);
      context.moveTo(end.x, end.y - 3);
      context.lineTo(end.x, end.y + 3);
    }
    context.stroke();
    // Dark halo under the label so it reads on bright bone and dark lung alike.
    context.lineWidth = 3;
    context.strokeStyle = 'rgba(0, 0, 0, 0.8)';
    context.strokeText(line.label, to.x + 6, to.y - 6);
    context.fillStyle = colour;
    context.fillText(line.label, to.x + 6, to.y - 6);
    context.lineWidth = 1.5;
  }
}
