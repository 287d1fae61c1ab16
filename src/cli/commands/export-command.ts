// `overread export --db FILE --format F --out DIR`: the reviewed labels of a dataset as NIfTI / nnU-Net,
// DICOM SEG or a findings table, de-identified on request. Progress goes to stderr, the summary to stdout.
// The selection and the mapping from the store live in src/export/dataset-export.ts; this only parses,
// opens the store read-only in spirit (it writes nothing to it) and reports.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { openDataset } from '../../dataset/open-dataset.ts';
import {
  EXPORT_STATUS_FILTERS,
  planDatasetExport,
  type ExportStatusFilter,
} from '../../export/dataset-export.ts';
import { runExport } from '../../export/export-orchestrator.ts';
import { FollowUpService } from '../../followup/series-follow-up.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../../export/export-types.ts';
import { ProgressLine } from './triage-progress.ts';

const HELP = `usage: overread export --db FILE --format FORMAT --out DIR [options]
  --db FILE             the dataset to export from
  --format FORMAT       nnunet | nifti | dicom-seg | csv | json
  --out DIR             the export folder to create (new or empty; it appears only when complete)
  --deidentify          DICOM PS3.15 Basic Profile on every object and sidecar; UIDs remapped consistently
  --key-file FILE       with --deidentify: also write the pseudonym key here (outside --out; keep it apart)
  --status STATUS       series review status to export (default done; "all" for every series)
  --reader NAME         export this reader's decisions and outlines (default: the latest of any reader)
  --include-proposals   also export undecided model proposals (AUTOMATIC segments, decision "pending")

Labels are the final ones: confirmed, corrected and reader-added findings. Rejected findings appear in the
findings table (with the reason) but never in a label. Exit status 1 when a series had to be skipped; the
others are exported and the manifest names the skipped ones.`;

export const command: Command = {
  summary: 'export reviewed labels as nnU-Net/NIfTI, DICOM SEG or a CSV/JSON findings table',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        deidentify: { type: 'boolean', default: false },
        'key-file': { type: 'string' },
        status: { type: 'string', default: 'done' },
        reader: { type: 'string' },
        'include-proposals': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (!values.db || !values.format || !values.out) {
      console.error(HELP);
      return 2;
    }
    const format = values.format as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) {
      throw new Error(`--format ${values.format} is not one of ${EXPORT_FORMATS.join(', ')}`);
    }
    const status = values.status as ExportStatusFilter;
    if (!EXPORT_STATUS_FILTERS.includes(status)) {
      throw new Error(`--status ${values.status} is not one of ${EXPORT_STATUS_FILTERS.join(', ')}`);
    }
    // Opening a missing file would create an empty dataset; say what is wrong instead.
    if (!existsSync(values.db)) throw new Error(`no dataset at ${values.db} — check the --db path`);
    const store = openDataset(values.db);
    const progress = new ProgressLine(process.stderr);
    try {
      const deidentify = values.deidentify;
      const plan = planDatasetExport(
        store,
        { status, reader: values.reader, includeProposals: values['include-proposals'] },
        { deidentify },
      );
      new FollowUpService(store).attachTo(plan.series, values.reader ?? null);
      if (plan.series.length === 0) {
        throw new Error(
          `no series with status "${status}" in ${values.db} — review and mark some done, or pass --status all`,
        );
      }
      const summary = await runExport(plan.series, {
        format,
        outDir: values.out,
        deidentify,
        keyFile: values['key-file'],
        datasetVersion: plan.datasetVersion,
        selection: plan.selection,
        onProgress: ({ done, total, step }) => {
          if (step.includes('skipped')) {
            progress.clear();
            console.error(step);
          } else progress.update(step.replace(/^case_\d+: /, `series ${done + 1}/${total}: `), done / total);
        },
      });
      progress.clear();
      console.log(
        `exported ${summary.cases} series, ${summary.findings} findings, ${summary.files} files to ${summary.outDir}`,
      );
      if (summary.keyFile) console.log(`pseudonym key: ${summary.keyFile} (keep it apart from the export)`);
      for (const skip of summary.skipped) console.error(`skipped ${skip.caseId}: ${skip.reason}`);
      return summary.skipped.length > 0 ? 1 : 0;
    } finally {
      progress.clear();
      store.close();
    }
  },
};
