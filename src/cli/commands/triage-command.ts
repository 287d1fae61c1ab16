// `overread triage <path...>`: index the files, run the model on every eligible series (in a separate model
// process, progress on stderr), and print the worklist ranked by suspicion, highest first. `--json FILE`
// writes the same list for scripts. Series the model cannot read are listed as skipped with the reason.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import {
  analyzeVolume,
  createChildProcessModelHost,
  openModelRegistry,
  seriesScope,
  type InstalledModel,
  type VolumeAnalysis,
} from '../../inference/index.ts';
import { loadSeriesVolume, seriesScopeFacts } from '../../inference/load-series-volume.ts';
import { seriesGeometry } from '../../dicom/index/index.ts';
import { openTriageSource, type TriageSeries } from './triage-source.ts';
import { ProgressLine } from './triage-progress.ts';
import { openTriageRecorder } from './triage-recorder.ts';

const HELP = `usage: overread triage <path...> [--model ID] [--threshold T] [--json FILE] [--models DIR] [--db FILE]
  <path...>        DICOM files or folders (searched recursively; DICOMDIR understood)
  --model ID       the model to run (default: the installed one; see models/ and --models)
  --threshold T    probability at or above which a voxel belongs to a finding (default: the one saved in
                   the --db dataset for the model, else the model's)
  --json FILE      also write the ranked worklist as JSON
  --models DIR     an extra folder of user models (also $OVERREAD_MODELS_DIR)
  --db FILE        also record the studies, runs and findings (as proposals) in this dataset`;

interface SeriesResult {
  series: TriageSeries;
  analysis: VolumeAnalysis;
  seconds: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export const command: Command = {
  summary: 'run the model on DICOM series and print them ranked by suspicion',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        threshold: { type: 'string' },
        json: { type: 'string' },
        models: { type: 'string' },
        db: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length === 0) {
      console.error(HELP);
      return 2;
    }
    let threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
      throw new Error(`--threshold ${values.threshold} is not a probability in (0, 1]`);
    }
    const registry = await openModelRegistry({ userDir: values.models });
    for (const refusal of registry.refused) console.error(`overread triage: ${refusal.reason}`);
    const model: InstalledModel | undefined = values.model
      ? registry.get(values.model)
      : registry.defaultModel();
    if (!model) {
      throw new Error('no usable model is installed — put one in models/ or pass --models DIR');
    }

    const progress = new ProgressLine(process.stderr);
    const source = await openTriageSource(positionals, (done, total) =>
      progress.update('indexing', done / total),
    );
    progress.clear();
    for (const problem of source.problems) console.error(`overread triage: ${problem}`);
    const studies = [...new Set(source.series.map((s) => s.study))];
    const recorder = values.db ? await openTriageRecorder(values.db, model, positionals, studies) : undefined;
    threshold ??= recorder?.savedThreshold;
    const runThreshold = threshold ?? model.manifest.defaultThreshold;
    const host = createChildProcessModelHost();
    const results: SeriesResult[] = [];
    let failures = 0;
    try {
      const eligible: TriageSeries[] = [];
      for (const entry of source.series) {
        const uid = entry.series.seriesInstanceUid;
        let skip: string | undefined;
        try {
          const geometry = seriesGeometry(entry.series);
          skip = seriesScope(model.manifest, { ...seriesScopeFacts(entry.series), geometry }).skip;
        } catch (error) {
          skip = (error as { reason?: string }).reason ?? (error as Error).message;
        }
        if (skip) {
          console.error(`skipped series ${uid}: ${skip}`);
          recorder?.skipped(uid, runThreshold, skip);
        } else eligible.push(entry);
      }
      for (const [n, entry] of eligible.entries()) {
        const label = `series ${n + 1}/${eligible.length}`;
        const started = performance.now();
        const runId = recorder?.start(entry.series.seriesInstanceUid, runThreshold);
        try {
          const volume = await loadSeriesVolume(entry.series, source.decode, {
            onProgress: (done, total) => progress.update(`${label} reading`, done / total),
          });
          const analysis = await analyzeVolume(host, model, volume, seriesScopeFacts(entry.series), {
            threshold,
            onProgress: ({ done, total }) => progress.update(`${label} model`, done / total),
          });
          results.push({ series: entry, analysis, seconds: (performance.now() - started) / 1000 });
          if (runId !== undefined) recorder!.finish(runId, analysis, results.at(-1)!.seconds);
        } catch (error) {
          failures++;
          if (runId !== undefined) recorder!.fail(runId, (error as Error).message);
          progress.clear();
          console.error(`series ${entry.series.seriesInstanceUid} failed: ${(error as Error).message}`);
        }
      }
    } finally {
      progress.clear();
      await host.close();
      await source.close();
      recorder?.close();
    }

    results.sort((a, b) => b.analysis.score - a.analysis.score);
    printWorklist(model, results);
    if (values.json)
      await writeFile(values.json, JSON.stringify(worklistJson(model, results), null, 2) + '\n');
    return failures > 0 ? 1 : 0;
  },
};

function worklistJson(model: InstalledModel, results: SeriesResult[]) {
  return {
    model: { id: model.manifest.id, version: model.manifest.version, sha256: model.manifest.sha256 },
    series: results.map(({ series, analysis, seconds }) => ({
      studyInstanceUid: series.studyInstanceUid,
      seriesInstanceUid: series.series.seriesInstanceUid,
      patientId: series.patientId,
      score: round(analysis.score, 4),
      seconds: round(seconds, 2),
      warnings: analysis.warnings,
      findings: analysis.findings.map((f) => ({
        id: f.id,
        score: round(f.score, 4),
        centerMm: f.centerMm.map((v) => round(v, 2)),
        volumeMm3: round(f.volumeMm3, 1),
        diameterMm: round(f.diameterMm, 1),
        sliceRange: f.sliceRange,
      })),
    })),
  };
}

function printWorklist(model: InstalledModel, results: SeriesResult[]): void {
  console.log(
    `model ${model.manifest.id} ${model.manifest.version} (sha256 ${model.manifest.sha256.slice(0, 12)}…), ${results.length} series, most suspicious first`,
  );
  const header = ['rank', 'score', 'findings', 'largest mm', 'patient', 'series', 'notes'];
  const rows = results.map(({ series, analysis }, n) => [
    String(n + 1),
    analysis.score.toFixed(3),
    String(analysis.findings.length),
    analysis.findings.length ? Math.max(...analysis.findings.map((f) => f.diameterMm)).toFixed(1) : '—',
    series.patientId,
    series.series.seriesInstanceUid,
    analysis.warnings.join('; '),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    );
  }
}
