// The Model page: is the model good enough on this site's scans? Figures from the review decisions (with
// 95 % intervals and the counts they rest on), FROC / PR / weekly plots, the same per reader, scanner and
// slice thickness, and threshold calibration — a slider whose preview shows what a threshold would have
// changed on the reviewed data before it is saved, and applying the saved one to unreviewed proposals.
import type {
  Estimate,
  MetricsGroup,
  MetricsReport,
  ModelVersionMetrics,
  OperatingPoint,
  ThresholdPreview,
} from '../src/shared/metrics-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { metricsApi } from './metrics-client.ts';
import { driftOption, frocOption, Plot, prOption, type OperatingMark } from './model-charts.ts';
import { showError, showInfo } from './toasts.ts';

const fixed = (value: number | null, digits = 3) => (value === null ? '—' : value.toFixed(digits));
const interval = (e: Estimate) =>
  e.low === null || e.high === null ? '—' : `${fixed(e.low)}–${fixed(e.high)}`;

function cells(row: HTMLTableRowElement, values: string[], header = false): void {
  row.replaceChildren(...values.map((text, n) => element(n === 0 || header ? 'th' : 'td', { text })));
}

function download(name: string, href: string): void {
  const link = element('a', { attributes: { href, download: name } });
  document.body.append(link);
  link.click();
  link.remove();
}

export class ModelPage {
  private readonly view = byId('model-view');
  private readonly select = byId<HTMLSelectElement>('model-select');
  private readonly slider = byId<HTMLInputElement>('calibration-threshold');
  private readonly readout = byId<HTMLOutputElement>('calibration-readout');
  private readonly plots: Record<'froc' | 'pr' | 'drift', Plot>;
  private report: MetricsReport | null = null;
  private previewGeneration = 0;
  private previewTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly hooks: { beforeShow(): void; back(): void }) {
    this.plots = {
      froc: new Plot(byId('chart-froc')),
      pr: new Plot(byId('chart-pr')),
      drift: new Plot(byId('chart-drift')),
    };
    byId('model-button').addEventListener('click', () => void this.show());
    byId('model-back').addEventListener('click', () => this.back());
    byId('model-refresh').addEventListener('click', () => void this.load());
    document.addEventListener('keydown', (event) => {
      if (this.visible && event.key === 'Escape' && !document.querySelector('dialog[open]')) this.back();
    });
    this.select.addEventListener('change', () => void this.selectEntry());
    this.slider.addEventListener('input', () => this.schedulePreview());
    byId('find-sensitivity').addEventListener('click', () => {
      const value = Number(byId<HTMLInputElement>('target-sensitivity').value);
      void this.calibrate({ sensitivity: value });
    });
    byId('find-fp').addEventListener('click', () => {
      const value = Number(byId<HTMLInputElement>('target-fp').value);
      void this.calibrate({ fpPerScan: value });
    });
    byId('save-threshold').addEventListener('click', () => void this.save());
    byId('apply-threshold').addEventListener('click', () => void this.apply());
    for (const button of this.view.querySelectorAll<HTMLButtonElement>('button[data-export]')) {
      button.addEventListener('click', () =>
        this.export(button.dataset.export as 'froc', button.dataset.format!),
      );
    }
  }

  get visible(): boolean {
    return !this.view.hidden;
  }

  async show(): Promise<void> {
    this.hooks.beforeShow();
    this.view.hidden = false;
    document.title = 'Overread — Model';
    await this.load();
  }

  private back(): void {
    this.view.hidden = true;
    this.hooks.back();
  }

  private entry(): ModelVersionMetrics | undefined {
    return this.report?.models[Number(this.select.value)];
  }

  private modelId(): string | undefined {
    return this.entry()?.modelId ?? (this.select.selectedOptions[0]?.dataset.modelId || undefined);
  }

  async load(): Promise<void> {
    try {
      const [report, models] = await Promise.all([metricsApi.report(), api.models()]);
      this.report = report;
      const previous = this.select.value;
      const options = report.models.map((m, n) =>
        element('option', { text: `${m.modelId} ${m.version}`, attributes: { value: String(n) } }),
      );
      // Installed models nobody has reviewed yet can still be chosen (to see that there is nothing yet).
      for (const model of models.models) {
        if (report.models.some((m) => m.modelId === model.id)) continue;
        const option = element('option', {
          text: `${model.id} ${model.version} (not reviewed)`,
          attributes: { value: '' },
        });
        option.dataset.modelId = model.id;
        options.push(option);
      }
      this.select.replaceChildren(...options);
      if (previous && options.some((o) => o.value === previous)) this.select.value = previous;
      const saved = models.models.find((m) => m.id === this.modelId());
      byId('saved-threshold').textContent = saved ? `in use: ${saved.threshold}` : 'model not installed';
      this.slider.value = String(saved?.threshold ?? this.entry()?.runThresholds[0] ?? 0.5);
      await this.selectEntry();
    } catch (error) {
      showError(error);
    }
  }

  private async selectEntry(): Promise<void> {
    const m = this.entry();
    byId('model-empty').hidden = Boolean(m);
    byId('model-content').hidden = !m;
    if (!m) return;
    byId('model-summary').textContent =
      `${m.counts.series} reviewed series · run threshold ${m.runThresholds.join(', ')} · ` +
      `intervals: bootstrap 95 %, ${this.report!.bootstrap.resamples} resamples of series`;
    this.renderFigures(m);
    this.renderGroups(m);
    this.plots.drift.draw(driftOption(m.weekly));
    byId('chart-drift').dataset.points = String(m.weekly.length);
    this.drawCurves(null);
    await this.preview();
  }

  private renderFigures(m: ModelVersionMetrics): void {
    const table = byId<HTMLTableElement>('model-figures');
    table.replaceChildren();
    cells(table.insertRow(), ['', 'value', '95 % CI', 'n'], true);
    const rows: [string, Estimate, string][] = [
      ['Sensitivity', m.sensitivity, 'lesions'],
      ['Precision', m.precision, 'proposals'],
      ['FP per scan', m.fpPerScan, 'series'],
      ['CPM', m.cpm, 'lesions'],
      ['Study AUC', m.auc, 'series'],
      ['Dice (corrected)', m.dice, 'corrections'],
    ];
    for (const [name, e, unit] of rows)
      cells(table.insertRow(), [name, fixed(e.value), interval(e), `${e.count} ${unit}`]);
    const c = m.counts;
    const reasons = Object.entries(c.rejectedBy)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    byId('model-counts').textContent =
      `${c.truePositives} true positives (${c.confirmed} confirmed, ${c.corrected} corrected) · ` +
      `${c.falsePositives} false positives${reasons ? ` (${reasons})` : ''} · ${c.falseNegatives} missed (added by readers)` +
      (c.undecided ? ` · ${c.undecided} undecided, left out` : '');
  }

  private renderGroups(m: ModelVersionMetrics): void {
    const table = byId<HTMLTableElement>('model-groups');
    table.replaceChildren();
    cells(table.insertRow(), ['group', 'series', 'sensitivity (95 % CI)', 'precision', 'FP/scan'], true);
    const groups: MetricsGroup[] = [...m.byReader, ...m.byScanner, ...m.bySliceThickness];
    for (const g of groups) {
      cells(table.insertRow(), [
        g.label,
        String(g.counts.series),
        `${fixed(g.sensitivity.value)} (${interval(g.sensitivity)}) n=${g.sensitivity.count}`,
        `${fixed(g.precision.value)} n=${g.precision.count}`,
        fixed(g.fpPerScan.value),
      ]);
    }
  }

  private drawCurves(point: OperatingPoint | null): void {
    const m = this.entry();
    if (!m) return;
    const mark: OperatingMark | null = point && {
      threshold: Number(this.slider.value),
      sensitivity: point.sensitivity,
      fpPerScan: point.fpPerScan,
      precision: point.precision,
    };
    this.plots.froc.draw(frocOption(m.froc, mark));
    this.plots.pr.draw(prOption(m.pr, mark));
    byId('chart-froc').dataset.points = String(m.froc.length);
    byId('chart-pr').dataset.points = String(m.pr.length);
  }

  private schedulePreview(): void {
    this.readout.value = Number(this.slider.value).toFixed(3);
    if (this.previewTimer) clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => void this.preview(), 120);
  }

  private async preview(): Promise<void> {
    const modelId = this.modelId();
    if (!modelId) return;
    const threshold = Number(this.slider.value);
    this.readout.value = threshold.toFixed(3);
    const generation = ++this.previewGeneration;
    try {
      const preview = await metricsApi.preview(modelId, threshold);
      if (generation !== this.previewGeneration) return; // a later slider position has been asked for
      this.renderPreview(preview);
    } catch (error) {
      showError(error);
    }
  }

  private renderPreview(p: ThresholdPreview): void {
    const table = byId<HTMLTableElement>('preview-table');
    table.replaceChildren();
    cells(table.insertRow(), ['', 'as reviewed', `at ${p.threshold.toFixed(3)}`], true);
    const rows: [string, (o: OperatingPoint) => string][] = [
      ['true positives', (o) => String(o.truePositives)],
      ['false positives', (o) => String(o.falsePositives)],
      ['missed', (o) => String(o.falseNegatives)],
      ['sensitivity', (o) => fixed(o.sensitivity)],
      ['precision', (o) => fixed(o.precision)],
      ['FP per scan', (o) => fixed(o.fpPerScan)],
    ];
    for (const [name, pick] of rows) {
      const row = table.insertRow();
      cells(row, [name, pick(p.current), pick(p.proposed)]);
      row.dataset.figure = name;
    }
    byId('preview-change').textContent =
      `would lose ${p.lost.truePositives} true and ${p.lost.falsePositives} false positives; ` +
      `would catch ${p.gained.truePositives} of the findings readers added`;
    byId('preview-caveats').replaceChildren(...p.caveats.map((text) => element('li', { text })));
    this.drawCurves(p.proposed);
  }

  private async calibrate(target: { sensitivity: number } | { fpPerScan: number }): Promise<void> {
    const modelId = this.modelId();
    if (!modelId) return;
    try {
      const choice = await metricsApi.calibrate(modelId, target);
      if (choice.threshold === null) {
        showInfo('no threshold on the reviewed data reaches that target');
        return;
      }
      this.slider.value = String(choice.threshold);
      this.previewGeneration++;
      if (choice.preview) this.renderPreview(choice.preview);
      this.readout.value = choice.threshold.toFixed(3);
    } catch (error) {
      showError(error);
    }
  }

  private async save(): Promise<void> {
    const modelId = this.modelId();
    if (!modelId) return;
    const threshold = Number(this.slider.value);
    try {
      await metricsApi.saveThreshold(modelId, threshold);
      byId('saved-threshold').textContent = `saved: ${threshold}`;
      showInfo(`threshold ${threshold} saved for ${modelId}; later runs use it`);
    } catch (error) {
      showError(error);
    }
  }

  private async apply(): Promise<void> {
    const modelId = this.modelId();
    if (!modelId) return;
    try {
      const job = await metricsApi.applyThreshold(modelId);
      const last = await api.followJob(job, () => {});
      if (last.state === 'done') showInfo(last.message);
      else showError(new Error(`applying the threshold ${last.state}: ${last.message}`));
    } catch (error) {
      showError(error);
    }
  }

  private export(which: 'froc' | 'pr' | 'drift', format: string): void {
    const model = this.entry();
    const name = `overread-${which}-${model ? `${model.modelId}-${model.version}` : 'model'}`;
    const plot = this.plots[which];
    if (format === 'png') {
      download(`${name}.png`, plot.png());
      return;
    }
    const url = URL.createObjectURL(new Blob([plot.svg()], { type: 'image/svg+xml' }));
    download(`${name}.svg`, url);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
