// The viewer screen's state and drawing: the open series, its findings, which is selected, the threshold,
// overlays on/off, the thick slab, the active tool, the ruler's measurements; corner texts, toolbar states,
// slice bar and the overlay canvas are all redrawn from this state. What the keys and buttons *do* lives in
// review-actions.ts.
import {
  DEFAULT_PAINT_RANGE,
  paintableMask,
  rangeText,
  type PaintRange,
  type StoredImage,
} from './paint-range.ts';
import type { FindingInfo, FollowUp, SeriesInfo } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { cornerTexts, type CornerState } from './corner-text.ts';
import { byId } from './dom.ts';
import { findingsOnSlice, modelFlagCount, stepFinding, visibleFindings } from './finding-state.ts';
import { renderFindings, renderSliceBar, wireSliceBar } from './findings-panel.ts';
import { ProfileLines } from './profile-lines.ts';
import { countRegions, DRAFT_COLOUR, probabilityAtThreshold, STATE_COLOURS } from './layer-pixels.ts';
import type { Point } from './mask-brush.ts';
import { formatLength, lengthMm, MEASURE_COLOUR, type Measurement } from './measurement.ts';
import { LayerStore } from './layer-store.ts';
import { OverlayCanvas, type OverlayLine } from './overlay-canvas.ts';
import { OtherReaderMasks, type Comparison } from './other-reader-masks.ts';
import { overlayLayers } from './overlay-layers.ts';
import { PlanePanes } from './plane-panes.ts';
import { PriorPane } from './prior-pane.ts';
import { showError } from './toasts.ts';
import { StackViewport } from './viewport/stack-viewport.ts';

export type Tool = 'none' | 'brush' | 'eraser' | 'add' | 'outline' | 'measure';

/** Sets a text only when it changed: this runs on every frame while scrolling, and each write costs a layout. */
function setText(id: string, text: string): void {
  const node = byId(id);
  if (node.textContent !== text) node.textContent = text;
}

export class ViewerPage {
  series: SeriesInfo | null = null;
  findings: FindingInfo[] = [];
  selectedId: number | null = null;
  threshold = 0.5;
  /** The threshold the model's findings were derived at; the slider away from it previews another one. */
  modelThreshold = 0.5;
  showFlags = true;
  showProbability = false;
  tool: Tool = 'none';
  radius = 4;
  /** The brush's intensity range (G); kept from series to series, like the radius. */
  paintRange: PaintRange = { ...DEFAULT_PAINT_RANGE };
  awaitingReason = false;
  /** The mask of a finding being added, painted on one slice before it is saved. */
  draft: { slice: number; mask: Uint8Array } | null = null;
  pointer: Point | null = null;
  /** Ruler lines drawn on this series (kept while it is open, not stored), and the one being dragged. */
  measurements: Measurement[] = [];
  measuring: Measurement | null = null;
  /** The slab thickness T switches back on (the last one chosen). */
  slabChoiceMm = 10;
  readonly viewport: StackViewport;
  /** The coronal and sagittal planes beside the stack (V). */
  readonly planes = new PlanePanes();
  /** The patient's prior scan beside the stack, scrolling with it (S). */
  readonly priorPane = new PriorPane();
  /** Counts mask edits, so the planes' cuts of a painted finding are rebuilt. */
  private maskEdits = 0;
  /** Another reader whose outlines are drawn dashed (compare-panel.ts), and the findings that reader kept. */
  comparison: Comparison | null = null;
  private readonly otherMasks = new OtherReaderMasks();
  /** Called when the series' findings were (re)loaded: after opening, a decision, undo or redo. */
  onFindingsLoaded: () => void = () => {};
  /** The selected finding's axes and density line (finding-profile.ts). */
  private readonly profiles = new ProfileLines(
    (finding, k) => this.loadMask(finding, k),
    () => this.renderPanel(),
    (error) => showError(error),
  );
  private readonly overlay = new OverlayCanvas(byId<HTMLCanvasElement>('overlay-canvas'));
  private readonly layers = new LayerStore();
  private readonly view = byId('viewer-view');

  constructor() {
    this.viewport = new StackViewport(byId('viewport'));
    this.viewport.onRender = () => this.renderView();
    this.viewport.onError = (error) => showError(error);
    this.viewport.onPointer = (point) => {
      this.pointer = point;
      this.renderCorners();
      if (this.tool !== 'none') this.drawOverlay();
    };
    wireSliceBar(
      () => this.series?.slices ?? 0,
      (k) => void this.viewport.showSlice(k),
    );
    this.planes.onError = (error) => showError(error);
    this.priorPane.view.onScroll = (delta) => void this.viewport.scrollBy(delta);
    this.planes.onNavigate = (k) => {
      if (k === this.viewport.slice) this.renderView();
      else void this.viewport.showSlice(k);
    };
    // A double click on the stack moves the planes' crosshair there.
    this.viewport.element.addEventListener('dblclick', () => {
      if (!this.planes.on || !this.pointer) return;
      this.planes.setCross(this.pointer.x, this.pointer.y);
      this.renderView();
    });
  }

  get visible(): boolean {
    return !this.view.hidden;
  }

  hide(): void {
    this.viewport.stopCine();
    this.view.hidden = true;
  }

  async open(seriesUid: string, threshold: number): Promise<void> {
    // Which series the view shows is stated only once its first slice is drawn (data-series-uid), so a
    // script or test driving the page never mistakes the previous series' view for this one.
    delete this.view.dataset['seriesUid'];
    this.view.hidden = false;
    // The prior beside the last series goes; the next one's comes back once its comparison is read.
    if (this.priorPane.on) this.priorPane.hide(this.priorPane.wanted);
    this.layers.clear(true);
    this.overlay.invalidate();
    this.profiles.clear();
    this.otherMasks.clear();
    this.selectedId = null;
    this.tool = 'none';
    this.draft = null;
    this.measurements = [];
    this.measuring = null;
    this.awaitingReason = false;
    this.threshold = threshold;
    this.modelThreshold = threshold;
    byId<HTMLInputElement>('threshold').value = String(threshold);
    this.series = await api.series(seriesUid);
    this.findings = await api.findings(seriesUid);
    const first = this.navigable()[0];
    this.planes.open(this.series, {
      column: first?.focusPoint[0] ?? Math.floor(this.series.columns / 2),
      row: first?.focusPoint[1] ?? Math.floor(this.series.rows / 2),
    });
    await this.viewport.open(this.series, first?.focusSlice ?? Math.floor(this.series.slices / 2));
    if (first) this.select(first.id);
    this.renderAll();
    this.view.dataset['seriesUid'] = seriesUid;
    this.onFindingsLoaded();
  }

  /** Draws another reader's outlines (or none with null). */
  setComparison(comparison: ViewerPage['comparison']): void {
    this.comparison = comparison;
    this.overlay.invalidate('compare:');
    this.renderView();
  }

  /** True while the slider sits away from the model's threshold and there is a probability map to preview. */
  previewing(): boolean {
    return Boolean(this.series?.hasProbabilityMap) && Math.abs(this.threshold - this.modelThreshold) > 0.004;
  }

  /** Findings the slider lets through, in the API's order: what J/K walk and the overlay draws. */
  navigable(): FindingInfo[] {
    return visibleFindings(this.findings, this.threshold);
  }

  selected(): FindingInfo | null {
    return this.findings.find((f) => f.id === this.selectedId) ?? null;
  }

  select(id: number, jump = true): void {
    this.selectedId = id;
    const finding = this.selected();
    if (finding && jump) {
      this.planes.setCross(finding.focusPoint[0], finding.focusPoint[1]);
      void this.viewport.showSlice(finding.focusSlice).then(() => {
        this.viewport.bringIntoView(finding.focusPoint[0], finding.focusPoint[1]);
      });
    }
    this.renderAll();
  }

  /** Reloads the series (its status and probability map may have changed) and its findings. */
  async reloadSeries(): Promise<void> {
    if (!this.series) return;
    this.series = await this.viewport.refreshSeries(await api.series(this.series.seriesUid));
    this.layers.clear(true);
    await this.reloadFindings();
  }

  async reloadFindings(): Promise<void> {
    if (!this.series) return;
    this.findings = await api.findings(this.series.seriesUid);
    // Masks may have changed under undo/redo or a correction; fetch them again.
    this.layers.clear();
    this.overlay.invalidate();
    if (!this.findings.some((f) => f.id === this.selectedId)) {
      // The selected finding went away (an undone add): select the next one to review, without jumping.
      this.selectedId = stepFinding(this.navigable(), null, 1)?.id ?? null;
    }
    this.renderAll();
    this.onFindingsLoaded();
  }

  cachedMask(findingId: number, k: number): Uint8Array | undefined {
    return this.layers.mask(findingId, k);
  }

  /** The mask of a finding on slice k, fetched once; zeros on slices outside its range (painting extends it). */
  async loadMask(finding: FindingInfo, k: number): Promise<Uint8Array> {
    const cached = this.layers.mask(finding.id, k);
    if (cached) return cached;
    const series = this.series!;
    const inRange = finding.sliceRange[0] <= k && k <= finding.sliceRange[1];
    const mask = inRange ? await api.mask(finding.id, k) : new Uint8Array(series.rows * series.columns);
    this.layers.setMask(finding.id, k, mask);
    return mask;
  }

  /** After painting: hold the painted masks and forget their drawn pixels so the overlay rebuilds them. */
  masksEdited(findingId: number, masks: ReadonlyMap<number, Uint8Array>): void {
    for (const [k, mask] of masks) {
      this.layers.setMask(findingId, k, mask);
      this.overlay.invalidate(`mask:${findingId}:${k}:`);
    }
    this.maskEdits++;
    this.drawOverlay();
    this.renderPlanes();
  }

  /** Shows or hides the coronal and sagittal planes; says why when this series cannot have them. */
  togglePlanes(): string | null {
    if (!this.planes.on) {
      const reason = this.planes.unavailable();
      if (reason) return reason;
    }
    this.planes.setOn(!this.planes.on);
    if (this.planes.on && this.priorPane.on) this.priorPane.hide(false);
    this.renderAll();
    return null;
  }

  /**
   * Shows the prior scan of `comparison` beside the stack in place of the planes, or hides it; says why when
   * there is no prior to show.
   */
  async togglePrior(comparison: () => Promise<FollowUp | null>): Promise<string | null> {
    if (this.priorPane.on) {
      this.priorPane.hide(false);
      this.renderAll();
      return null;
    }
    const followUp = await comparison();
    if (!followUp)
      return 'this patient has no earlier study in the dataset: import one to see it side by side';
    return this.showPrior(followUp);
  }

  /** The prior of `followUp` beside the stack (the planes make way); why it cannot be, or null. */
  async showPrior(followUp: FollowUp): Promise<string | null> {
    const series = this.series;
    if (!series || followUp.seriesUid !== series.seriesUid) return null;
    const problem = await this.priorPane.show(
      followUp,
      series,
      this.viewport.viewState(),
      this.viewport.slabMm,
      this.selected(),
    );
    if (problem) {
      if (this.priorPane.on) this.priorPane.hide(true);
      return problem;
    }
    this.priorPane.wanted = true;
    if (this.planes.on) {
      this.planes.setOn(false);
    }
    this.renderAll();
    return null;
  }

  /** The planes follow the stack's slice, window and findings (and fetch the masks they cut). */
  private renderPlanes(): void {
    const state = this.viewport.viewState();
    if (!this.planes.on || !this.series || !state) return;
    this.planes.render(
      { slice: state.slice, window: state.window, invert: state.invert, slabMm: this.viewport.slabMm },
      {
        show: this.showFlags,
        visible: this.navigable(),
        selected: this.selected(),
        version: `${this.layers.generation}.${this.maskEdits}`,
        mask: (id, k) => this.cachedMask(id, k),
        comparison: this.comparison && this.otherMasks.view(this.comparison),
        probability:
          this.showProbability && this.series.hasProbabilityMap
            ? `${this.series.seriesUid}:${this.layers.generation}`
            : null,
      },
    );
    if (this.showFlags) void this.loadPlaneMasks();
  }

  /** Every slice's mask of each visible finding (and the compared reader's), for the planes' cuts. */
  private async loadPlaneMasks(): Promise<void> {
    const series = this.series!;
    try {
      const loads = [];
      const comparison = this.comparison;
      const compared: [number, number][] = [];
      for (const finding of this.navigable()) {
        for (let k = finding.sliceRange[0]; k <= finding.sliceRange[1]; k++) {
          if (!this.cachedMask(finding.id, k))
            loads.push(this.layers.load(series.seriesUid, k, [finding], false));
          if (comparison) compared.push([finding.id, k]);
        }
      }
      if (comparison) loads.push(this.otherMasks.load(comparison, compared));
      if (loads.length === 0) return;
      const loaded = (await Promise.all(loads)).some(Boolean);
      if (loaded && this.series === series) this.renderPlanes();
    } catch (error) {
      showError(error);
    }
  }

  renderAll(): void {
    this.renderPanel();
    this.renderView();
  }

  renderPanel(): void {
    const series = this.series;
    if (!series) return;
    // The model has not run on this series (imported without it, or it failed): offer to run it.
    byId('run-model-button').hidden = series.status !== 'unread';
    const warnings = [...series.scopeWarnings, ...series.warnings];
    const warningBox = byId('series-warnings');
    warningBox.hidden = warnings.length === 0;
    warningBox.textContent = warnings.join('\n');
    const visible = new Set(this.navigable().map((f) => f.id));
    const selected = this.selected();
    const profile =
      selected && this.profiles.line(series, selected, `${this.layers.generation}.${this.maskEdits}`);
    renderFindings(this.findings, visible, this.selectedId, (id) => this.select(id), profile);
    this.renderThresholdReadout();
    const pressed = (id: string, on: boolean) => byId(id).setAttribute('aria-pressed', String(on));
    pressed('brush-button', this.tool === 'brush');
    pressed('eraser-button', this.tool === 'eraser');
    pressed('add-button', this.tool === 'add');
    pressed('outline-button', this.tool === 'outline');
    pressed('flags-button', this.showFlags);
    pressed('probability-button', this.showProbability);
    pressed('cine-button', this.viewport.cinePlaying);
    pressed('measure-button', this.tool === 'measure');
    pressed('planes-button', this.planes.on);
    pressed('prior-button', this.priorPane.on);
    const slabSelect = byId<HTMLSelectElement>('slab-select');
    slabSelect.value = String(this.viewport.slabMm);
    slabSelect.disabled = !this.canShowSlab();
    byId<HTMLButtonElement>('probability-button').disabled = !series.hasProbabilityMap;
    byId('radius-readout').textContent = `r ${this.radius} px`;
    pressed('range-button', this.paintRange.on);
    for (const [id, value] of [
      ['range-low', this.paintRange.low],
      ['range-high', this.paintRange.high],
    ] as const) {
      const input = byId<HTMLInputElement>(id);
      if (document.activeElement !== input) input.value = String(value);
    }
    const hasSelection = this.selected() !== null;
    byId<HTMLButtonElement>('confirm-button').disabled = !hasSelection;
    byId<HTMLButtonElement>('reject-button').disabled = !hasSelection;
    byId('reason-box').hidden = !this.awaitingReason;
    const banner = byId('tool-banner');
    const gate = this.paintRange.on ? `, only where ${rangeText(this.paintRange, series.modality)} (G)` : '';
    const bannerText =
      this.tool === 'outline'
        ? `Outline: click inside a missed nodule — it is outlined in 3-D where the image is ${rangeText(this.paintRange, series.modality)} (O or Esc leaves)`
        : this.tool === 'add'
          ? `Add finding: paint the missed lesion on this slice${gate} (Esc cancels); then B on its last slice, and F fills between`
          : this.tool === 'brush'
            ? `Brush: paint onto the selected finding${this.planes.on ? ', on the slice or a plane' : ''}${gate} (F fills the slices between painted ones)`
            : this.tool === 'eraser'
              ? `Eraser: erase from the selected finding${this.planes.on ? ', on the slice or a plane' : ''}`
              : this.tool === 'measure'
                ? 'Ruler: drag to measure on this slice (Delete clears this slice, Esc leaves)'
                : '';
    banner.hidden = bannerText === '';
    byId('tool-banner-text').textContent = bannerText;
    // The range's controls where they matter: beside what the painting tools say, not in the toolbar.
    byId('paint-range').hidden = this.tool !== 'brush' && this.tool !== 'add' && this.tool !== 'outline';
  }

  /** The pixels of `image` a brush stroke may set while the intensity range is on; undefined: all of them. */
  paintableOf(image: StoredImage | null): Uint8Array | undefined {
    return this.paintRange.on && image ? paintableMask(image, this.paintRange) : undefined;
  }

  /**
   * The slider's live answer: how many of the model's flags score at or above it, and — when it differs from
   * the model's threshold — how many regions of this slice the probability map would flag (outlined in cyan).
   */
  renderThresholdReadout(): void {
    const count = modelFlagCount(this.findings, this.threshold);
    let text = `≥ ${this.threshold.toFixed(2)}: ${count} flag${count === 1 ? '' : 's'}`;
    const probability = this.layers.probability(this.viewport.slice);
    if (this.previewing() && this.series && probability) {
      const regions = countRegions(
        probabilityAtThreshold(probability, this.threshold),
        this.series.rows,
        this.series.columns,
      );
      text += ` · ${regions} region${regions === 1 ? '' : 's'} here (model at ${this.modelThreshold.toFixed(2)})`;
    }
    byId('threshold-readout').textContent = text;
  }

  /** A slab needs each slice's position (a series without a 3-D geometry has none). */
  canShowSlab(): boolean {
    return (this.series?.slicePositionsMm.length ?? 0) > 1;
  }

  /** Slab, value under the pointer, newest length here: what the corners show beside the view state. */
  renderCorners(): void {
    const series = this.series;
    const state = this.viewport.viewState();
    if (!series || !state) return;
    const slab = this.viewport.slabSlices();
    const here = this.measurementsOn(state.slice);
    const newest = here[here.length - 1];
    const corners = cornerTexts(series, {
      ...state,
      slab: slab ? { mm: this.viewport.slabMm, first: slab[0], last: slab[1] } : null,
      probe: this.probe(state.slice),
      lengthMm: newest ? lengthMm(newest.a, newest.b, series.pixelSpacingMm) : null,
    });
    setText('corner-top-left', corners.topLeft);
    setText('corner-top-right', corners.topRight);
    setText('corner-bottom-left', corners.bottomLeft);
    setText('corner-bottom-right', corners.bottomRight);
  }

  /** The value under the pointer, and the model's probability there while its map is shown on slice k. */
  private probe(k: number): CornerState['probe'] {
    const probe = this.pointer ? this.viewport.valueAt(this.pointer) : null;
    const map = this.showProbability ? this.layers.probability(k) : undefined;
    if (!probe || !map || !this.series) return probe;
    // The map is p × 255 per pixel of the series' own grid, as the API keeps it.
    return { ...probe, probability: map[probe.row * this.series.columns + probe.column]! / 255 };
  }

  /** The ruler lines of slice k, the one being dragged last. */
  measurementsOn(k: number): Measurement[] {
    const lines = this.measurements.filter((m) => m.slice === k);
    if (this.measuring?.slice === k) lines.push(this.measuring);
    return lines;
  }

  /** Corner texts, slice bar and overlay: everything that changes with the slice, window or zoom. */
  renderView(): void {
    const series = this.series;
    const state = this.viewport.viewState();
    if (!series || !state) return;
    const k = state.slice;
    this.renderCorners();
    renderSliceBar(this.navigable(), series.slices, k, this.selectedId);
    this.drawOverlay();
    this.renderPlanes();
    this.priorPane.sync(series, state, this.viewport.slabMm, this.selected());
    if (this.previewing()) this.renderThresholdReadout();
    void this.loadLayers(k);
  }

  /**
   * Fetches what the overlay needs on slice k (masks of visible findings — on every slice of the slab while
   * one is shown — and the probability), then redraws.
   */
  private async loadLayers(k: number): Promise<void> {
    const series = this.series;
    if (!series) return;
    const [first, last] = this.viewport.slabSlices() ?? [k, k];
    try {
      const loads = [];
      for (let j = first; j <= last; j++) {
        loads.push(
          this.layers.load(
            series.seriesUid,
            j,
            this.showFlags ? findingsOnSlice(this.navigable(), j) : [],
            j === k && (this.showProbability || this.previewing()) && series.hasProbabilityMap,
          ),
        );
      }
      const comparison = this.comparison;
      if (comparison && this.showFlags) {
        const onSlice = findingsOnSlice(this.navigable(), k).map((f): [number, number] => [f.id, k]);
        loads.push(this.otherMasks.load(comparison, onSlice));
      }
      const loaded = (await Promise.all(loads)).some(Boolean);
      if (loaded && this.series === series && this.viewport.slice === k) {
        this.drawOverlay();
        this.renderThresholdReadout();
        this.renderCorners(); // the probability under the pointer, now that the map is here
      }
    } catch (error) {
      showError(error);
    }
  }

  drawOverlay(): void {
    const series = this.series;
    if (!series) return;
    const k = this.viewport.slice;
    if (this.draft) this.overlay.invalidate('draft'); // the draft changes with every stroke
    const layers = overlayLayers({
      k,
      rows: series.rows,
      columns: series.columns,
      probability: this.layers.probability(k),
      showProbability: this.showProbability,
      previewThreshold: this.previewing() ? this.threshold : null,
      showFlags: this.showFlags,
      visible: this.navigable(),
      selected: this.selected(),
      painting: this.tool === 'brush' || this.tool === 'eraser',
      draft: this.draft,
      generation: this.layers.generation,
      // Painting needs single slices (the tools switch the slab off); a slab shows its findings' union.
      slab: this.viewport.slabSlices(),
      mask: (id, slice) => this.cachedMask(id, slice),
      comparison: this.comparison && this.otherMasks.view(this.comparison),
    });
    const canvas = this.viewport.canvas;
    const brushColour =
      this.tool === 'eraser'
        ? STATE_COLOURS.rejected
        : this.tool === 'add'
          ? DRAFT_COLOUR
          : STATE_COLOURS.pending;
    const lines: OverlayLine[] = [
      ...this.planes.stackLines(this.viewport.transform()),
      ...this.measurementsOn(k).map((m) => ({
        a: m.a,
        b: m.b,
        label: formatLength(lengthMm(m.a, m.b, series.pixelSpacingMm)),
        colour: MEASURE_COLOUR,
      })),
    ];
    const painting = this.tool === 'brush' || this.tool === 'eraser' || this.tool === 'add';
    this.overlay.draw(
      { width: canvas.width, height: canvas.height },
      this.viewport.transform(),
      layers,
      painting && this.pointer ? { point: this.pointer, radius: this.radius, colour: brushColour } : null,
      lines,
    );
  }
}
