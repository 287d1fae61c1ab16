// `overread index <path...> [--json]`: indexes DICOM headers under the given files/folders/zips/DICOMDIRs and
// prints the patient → study → series tree, or with --json the studies, skipped count and per-file errors.
// Progress goes to stderr (a live counter on a terminal, a line about once a second otherwise).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { indexDicom, type DicomIndex } from '../../dicom/index/index.ts';

const HELP = `usage: overread index <path...> [--json]
  <path...>   DICOM files, folders (searched recursively), zip files or DICOMDIRs
  --json      print {"studies":[…],"skipped":N,"errors":[…]} instead of the tree`;

function progressReporter(stream: NodeJS.WriteStream) {
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done: number, total: number) {
      const now = Date.now();
      if (now - started < 1000) return;
      if (stream.isTTY) {
        if (now - last < 100 && done < total) return;
        const width = 30;
        const filled = Math.round((done / Math.max(1, total)) * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files`);
      } else {
        if (now - last < 1000) return;
        stream.write(`indexed ${done}/${total} files\n`);
      }
      last = now;
      shown = true;
    },
    finish() {
      if (shown && stream.isTTY) stream.write('\n');
    },
  };
}

function toJson(index: DicomIndex) {
  return {
    studies: index.studies.map((study) => ({
      studyInstanceUid: study.studyInstanceUid,
      patientId: study.patientId,
      patientName: study.patientName,
      studyDate: study.studyDate,
      description: study.description,
      series: study.series.map((series) => ({
        seriesInstanceUid: series.seriesInstanceUid,
        modality: series.modality,
        description: series.description,
        instances: series.instances.length,
        frames: series.frames.length,
        rows: series.rows,
        columns: series.columns,
        warnings: series.warnings,
      })),
    })),
    skipped: index.skipped,
    errors: index.errors.map(({ path, reason }) => ({ path, reason })),
  };
}

function toTree(index: DicomIndex): string {
  const lines: string[] = [];
  for (const patient of index.patients) {
    lines.push(`patient ${patient.patientId || '(no id)'} ${patient.patientName}`.trimEnd());
    for (const study of patient.studies) {
      lines.push(
        `  study ${study.studyDate || '(no date)'} ${study.description} [${study.studyInstanceUid}]`,
      );
      for (const series of study.series) {
        const number = series.seriesNumber === undefined ? '' : `#${series.seriesNumber} `;
        lines.push(
          `    series ${number}${series.modality} ${series.description} — ${series.instances.length} files, ` +
            `${series.frames.length} frames, ${series.columns}×${series.rows} [${series.seriesInstanceUid}]`,
        );
        for (const warning of series.warnings) lines.push(`      ! ${warning}`);
      }
    }
  }
  const instances = index.studies.reduce(
    (n, s) => n + s.series.reduce((m, r) => m + r.instances.length, 0),
    0,
  );
  lines.push(
    `${index.studies.length} studies, ${instances} DICOM files; ${index.skipped} non-DICOM files skipped; ${index.errors.length} errors`,
  );
  for (const error of index.errors) lines.push(`error: ${error.path}: ${error.reason}`);
  return lines.join('\n');
}

export const command: Command = {
  summary: 'index DICOM headers under files/folders/zips/DICOMDIRs and print the study tree',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length === 0) {
      console.error(HELP);
      return 2;
    }
    const missing = positionals.find((path) => !existsSync(path));
    if (missing) {
      console.error(`overread index: ${missing} does not exist — check the path`);
      return 1;
    }
    const progress = progressReporter(process.stderr);
    const index = await indexDicom(positionals, {
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    console.log(values.json ? JSON.stringify(toJson(index), null, 2) : toTree(index));
    return 0;
  },
};
