// Owns the measurement report (TID 1500 SR, src/dicom/write-sr) a DICOM SEG export writes beside each case's
// SEG: one measurement group per segment, with the figures of that finding's table row once the export has
// measured them (the same volume, diameter, axes and density as findings.csv), and the decision and model as
// its comment. The reader's name stays out: it is in the table (pseudonymised when de-identified).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeidentifyContext } from '../dicom/deidentify/deidentify-dataset.ts';
import type { SegSourceImage } from '../dicom/write-seg/build-seg.ts';
import type { DicomDict } from '../dicom/write-seg/dcmjs-dict.ts';
import type { ReportedFinding } from '../dicom/write-sr/build-measurement-report.ts';
import { writeMeasurementReport } from '../dicom/write-sr/write-measurement-report.ts';
import type { ExportFinding } from './export-types.ts';

/** What the SEG writer knows that the report needs, kept until the findings are measured. */
export interface CaseReport {
  caseDir: string;
  header: DicomDict;
  sourceSeriesUid: string;
  /** The source images the SEG's frames lie on. */
  sourceImages: SegSourceImage[];
  seg: { sopInstanceUid: string; seriesInstanceUid: string };
  /** Per SEG segment (number = index + 1), the index of its finding in the series' findings. */
  segmentFindings: number[];
}

/**
 * The comment of a finding's group: its decision (the store's vocabulary) and, for a model's finding, the
 * model and its score. Nothing typed by a reader (a reason's note may name someone), so the report stays free
 * of identifying text when the export is de-identified.
 */
export function reportComment(row: ExportFinding['row']): string {
  const model = row.modelId
    ? `; model ${row.modelId} ${row.modelVersion ?? ''}`.trimEnd() +
      (row.score === undefined ? '' : `, p ${row.score.toFixed(3)}`)
    : '';
  return `${row.decision}${model}`;
}

export async function writeCaseReport(
  report: CaseReport,
  findings: ExportFinding[],
  deidentify?: DeidentifyContext,
): Promise<void> {
  const reported: ReportedFinding[] = report.segmentFindings.map((index, s) => {
    const row = findings[index]!.row;
    return {
      trackingId: `Nodule ${row.findingId}`,
      segmentNumber: s + 1,
      volumeMm3: row.volumeMm3,
      diameterMm: row.diameterMm,
      longAxisMm: row.longAxisMm,
      shortAxisMm: row.shortAxisMm,
      meanHu: row.meanHu,
      sdHu: row.sdHu,
      comment: reportComment(row),
    };
  });
  const written = writeMeasurementReport(
    {
      sourceHeader: report.header,
      sourceSeriesUid: report.sourceSeriesUid,
      sourceImages: report.sourceImages,
      seg: report.seg,
      findings: reported,
    },
    deidentify,
  );
  await writeFile(path.join(report.caseDir, 'sr.dcm'), written.bytes);
}
