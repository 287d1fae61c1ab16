// `overread metrics --db FILE [--model ID] [--json]`: the model's figures from the review decisions in a
// dataset — the same report the app's Model page draws — and, with --preview or a target, what a threshold
// would have changed on the reviewed data. Reads only; saving a threshold is the app's (audited) business.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { openDataset } from '../../dataset/open-dataset.ts';
import { defaultDatasetPath } from '../../dataset/default-dataset-path.ts';
import { collectDecisions, modelMetrics, chooseThreshold, previewThreshold } from '../../metrics/index.ts';
import type {
  Estimate,
  MetricsFigures,
  MetricsReport,
  ThresholdPreview,
  ModelVersionMetrics,
} from '../../shared/metrics-types.ts';

const HELP = `usage: overread metrics [--db FILE] [--model ID] [--json] [options]
  --db FILE                  the dataset (default: ${defaultDatasetPath()})
  --model ID                 only this model's runs (default: every model, each version apart)
  --json                     print the report as JSON
  --preview T                also show what threshold T would have changed on the reviewed data
  --target-sensitivity S     also choose the highest threshold reaching sensitivity S (0–1)
  --target-fp F              also choose the lowest threshold within F false positives per scan
  --resamples N              bootstrap resamples (default 1000)
  --seed N                   bootstrap seed (default 20240607)`;

const fixed = (value: number | null, digits = 3) => (value === null ? '—' : value.toFixed(digits));

function estimateLine(name: string, e: Estimate, unit: string): string {
  const interval = e.low === null || e.high === null ? '' : `[${fixed(e.low)}–${fixed(e.high)}]`;
  return `  ${name.padEnd(18)}${fixed(e.value).padStart(7)}  ${interval.padEnd(15)}  n=${e.count} ${unit}`;
}

function figureLines(f: MetricsFigures): string[] {
  const c = f.counts;
  const reasons = Object.entries(c.rejectedBy)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return [
    `  findings: ${c.truePositives} true positives (${c.confirmed} confirmed, ${c.corrected} corrected), ` +
      `${c.falsePositives} false positives${reasons ? ` (${reasons})` : ''}, ${c.falseNegatives} added by ` +
      `readers (missed), ${c.undecided} undecided`,
    estimateLine('sensitivity', f.sensitivity, 'lesions'),
    estimateLine('precision', f.precision, 'proposals'),
    estimateLine('FP per scan', f.fpPerScan, 'series'),
    estimateLine('CPM', f.cpm, 'lesions'),
    estimateLine('study AUC', f.auc, 'series with a score'),
    estimateLine('Dice (corrected)', f.dice, 'corrected findings'),
  ];
}

function groupLines(title: string, groups: ModelVersionMetrics['byReader']): string[] {
  if (groups.length <= 1) return [];
  return [
    `  ${title}:`,
    ...groups.map(
      (g) =>
        `    ${g.label.padEnd(34)} sensitivity ${fixed(g.sensitivity.value)} (n=${g.sensitivity.count})  ` +
        `precision ${fixed(g.precision.value)} (n=${g.precision.count})  FP/scan ${fixed(g.fpPerScan.value)} ` +
        `(n=${g.fpPerScan.count})`,
    ),
  ];
}

export function formatReport(report: MetricsReport): string {
  if (report.models.length === 0) {
    return `no reviewed series${report.modelId ? ` for model ${report.modelId}` : ''} — mark series done in the app to measure the model`;
  }
  const lines: string[] = [];
  for (const m of report.models) {
    lines.push(
      `${m.modelId} ${m.version} — ${m.counts.series} reviewed series (run threshold ${m.runThresholds.join(', ')})`,
      ...figureLines(m),
      '  FROC (threshold → sensitivity at FP/scan):',
      ...m.froc.map((p) => `    ${fixed(p.threshold)} → ${fixed(p.sensitivity)} at ${fixed(p.fpPerScan)}`),
      ...groupLines('by reader', m.byReader),
      ...groupLines('by scanner', m.byScanner),
      ...groupLines('by slice thickness', m.bySliceThickness),
      '  weekly:',
      ...m.weekly.map(
        (w) =>
          `    ${w.week}  ${String(w.series).padStart(4)} series  sensitivity ${fixed(w.sensitivity.value)}  ` +
          `precision ${fixed(w.precision.value)}  FP/scan ${fixed(w.fpPerScan.value)}`,
      ),
      '',
    );
  }
  lines.push(
    `intervals: bootstrap 95 %, ${report.bootstrap.resamples} resamples of series, seed ${report.bootstrap.seed}`,
  );
  return lines.join('\n');
}

export function formatPreview(p: ThresholdPreview): string {
  const point = (o: ThresholdPreview['current']) =>
    `TP ${o.truePositives}, FP ${o.falsePositives}, FN ${o.falseNegatives}; sensitivity ${fixed(o.sensitivity)}, ` +
    `precision ${fixed(o.precision)}, FP/scan ${fixed(o.fpPerScan)}`;
  return [
    `threshold ${fixed(p.threshold)} for ${p.modelId}:`,
    `  as reviewed:  ${point(p.current)}`,
    `  at ${fixed(p.threshold)}:     ${point(p.proposed)}`,
    `  lost: ${p.lost.truePositives} true and ${p.lost.falsePositives} false positives; ` +
      `gained: ${p.gained.truePositives} reader-added findings the kept maps reach`,
    ...p.caveats.map((c) => `  note: ${c}`),
  ].join('\n');
}

function probability(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0 && value <= 1)) throw new Error(`--${flag} ${text} is not a number in (0, 1]`);
  return value;
}

export const command: Command = {
  summary: 'the model’s sensitivity, FP/scan, FROC, AUC… from the review decisions in a dataset',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean' },
        preview: { type: 'string' },
        'target-sensitivity': { type: 'string' },
        'target-fp': { type: 'string' },
        resamples: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const db = values.db ?? defaultDatasetPath();
    if (!existsSync(db)) throw new Error(`no dataset at ${db} — pass --db FILE (the app's dataset file)`);
    const resamples = values.resamples === undefined ? undefined : Number(values.resamples);
    if (resamples !== undefined && !(Number.isInteger(resamples) && resamples >= 0)) {
      throw new Error(`--resamples ${values.resamples} is not a whole number`);
    }
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed))
      throw new Error(`--seed ${values.seed} is not a whole number`);
    const preview = probability('preview', values.preview);
    const targetSensitivity = probability('target-sensitivity', values['target-sensitivity']);
    const targetFp = values['target-fp'] === undefined ? undefined : Number(values['target-fp']);
    if (targetFp !== undefined && !(targetFp >= 0))
      throw new Error(`--target-fp ${values['target-fp']} is not ≥ 0`);
    const calibrating = preview !== undefined || targetSensitivity !== undefined || targetFp !== undefined;

    const store = openDataset(db);
    try {
      const series = collectDecisions(store, { modelId: values.model });
      const report = modelMetrics(series, { modelId: values.model ?? null, resamples, seed });
      const modelIds = [...new Set(series.map((s) => s.modelId))];
      if (calibrating && modelIds.length > 1) {
        throw new Error(
          `the reviewed series come from ${modelIds.join(', ')} — name one with --model to calibrate`,
        );
      }
      const modelId = values.model ?? modelIds[0] ?? '';
      const extra = {
        preview: preview === undefined ? undefined : previewThreshold(series, modelId, preview),
        sensitivityTarget:
          targetSensitivity === undefined
            ? undefined
            : chooseThreshold(series, modelId, { sensitivity: targetSensitivity }),
        fpTarget:
          targetFp === undefined ? undefined : chooseThreshold(series, modelId, { fpPerScan: targetFp }),
      };
      if (values.json) {
        console.log(JSON.stringify(calibrating ? { ...report, calibration: extra } : report, null, 2));
        return 0;
      }
      console.log(formatReport(report));
      if (extra.preview) console.log(`\n${formatPreview(extra.preview)}`);
      for (const choice of [extra.sensitivityTarget, extra.fpTarget]) {
        if (!choice) continue;
        const what =
          'sensitivity' in choice.target
            ? `sensitivity ≥ ${choice.target.sensitivity}`
            : `FP/scan ≤ ${choice.target.fpPerScan}`;
        console.log(
          choice.preview
            ? `\nfor ${what}: ${formatPreview(choice.preview)}`
            : `\nfor ${what}: no threshold on the reviewed data reaches it`,
        );
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
