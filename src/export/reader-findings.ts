// Owns one series' findings as a reader sees them, measured: each the export's row (decision, reason, model,
// 3-D diameter, volume, centre, and — decoded from only the slices they cover — axial long × short axis and
// density), the number the viewer shows it under and its slice range. What the findings report writes and
// what a follow-up compares with a prior, measured once by the same code as the export's table and SR.
import type { DatasetStore, StoredSeries } from '../dataset/dataset-types.ts';
import { planSeriesExport } from './dataset-export.ts';
import { measureFindings } from './finding-density.ts';
import type { FindingExportRow } from './findings-table.ts';

export interface ReaderFinding {
  row: Omit<FindingExportRow, 'caseId'>;
  /** Its position in the series' findings list as this reader sees it (the viewer's #). */
  number: number;
  /** First and last slice (k) it covers. */
  sliceRange: [number, number];
}

export interface ReaderFindings {
  series: StoredSeries;
  findings: ReaderFinding[];
  /** Why density and axes are missing, or null. */
  unmeasured: string | null;
}

export async function readerFindings(
  store: DatasetStore,
  seriesUid: string,
  reader: string | null,
): Promise<ReaderFindings | undefined> {
  const series = store.series(seriesUid);
  const planned = planSeriesExport(store, seriesUid, {
    reader: reader ?? undefined,
    includeProposals: true,
  });
  if (!series || !planned) return undefined;
  const unmeasured = await measureFindings(planned);
  const listed = store.findings(seriesUid, reader ?? undefined);
  const number = new Map(listed.map((f, i) => [String(f.id), i + 1]));
  const range = new Map(listed.map((f) => [String(f.id), f.sliceRange]));
  const findings = planned.findings.map(({ row }) => ({
    row,
    number: number.get(row.findingId) ?? 0,
    sliceRange: range.get(row.findingId) ?? ([0, 0] as [number, number]),
  }));
  return { series, findings, unmeasured };
}
