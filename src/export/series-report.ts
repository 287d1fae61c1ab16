// Owns the findings report of one series as text a reader pastes into their report: what they kept, with the
// figures a nodule report needs (axial long × short axis, 3-D diameter, volume, density), what they rejected
// and why, and what is still to review — numbered as the viewer numbers them, measured by the same code as the
// export's table and SR (finding-density.ts over the decoded slices). No patient name or id: the report it is
// pasted into already says whose it is, and the clipboard should not carry it anywhere else.
import type { DatasetStore } from '../dataset/dataset-types.ts';
import type { SeriesReport } from '../shared/api-types.ts';
import { formatDicomDate } from '../shared/dicom-date.ts';
import type { FindingExportRow } from './findings-table.ts';
import { readerFindings, type ReaderFindings } from './reader-findings.ts';

export type { SeriesReport };

const KEPT = new Set(['confirmed', 'corrected', 'added']);
const mm = (value: number | undefined) => (value === undefined ? '?' : value.toFixed(1));
const grouped = (value: number) => Math.round(value).toLocaleString('en-US');
const hu = (value: number) => `${Math.round(value)}`.replace('-', '−');

function slices(range: [number, number]): string {
  return range[0] === range[1] ? `image ${range[0] + 1}` : `images ${range[0] + 1}–${range[1] + 1}`;
}

/** One kept finding's line: where, how big, how dense, and who decided what. */
export function keptLine(
  number: number,
  row: Omit<FindingExportRow, 'caseId'>,
  range: [number, number],
): string {
  const size = [
    row.longAxisMm === undefined ? null : `axial ${mm(row.longAxisMm)} × ${mm(row.shortAxisMm)} mm`,
    `3-D diameter ${mm(row.diameterMm)} mm`,
    row.volumeMm3 === undefined ? null : `volume ${grouped(row.volumeMm3)} mm³`,
  ].filter(Boolean);
  const density =
    row.meanHu === undefined
      ? ''
      : `; mean ${hu(row.meanHu)} HU ± ${Math.round(row.sdHu ?? 0)}, ${Math.round((row.solidFraction ?? 0) * 100)}% of voxels ≥ −300 HU`;
  const how =
    row.decision === 'added'
      ? 'added by the reader'
      : `${row.decision}${row.score === undefined ? '' : ` (model p ${row.score.toFixed(2)})`}`;
  return `#${number} Nodule, ${slices(range)}: ${size.join(', ')}${density} — ${how}.`;
}

/** `measured`: the series' findings as readerFindings gave them, when the caller has them already. */
export async function seriesReport(
  store: DatasetStore,
  seriesUid: string,
  reader: string | null,
  measured?: ReaderFindings,
): Promise<SeriesReport | undefined> {
  const read = measured ?? (await readerFindings(store, seriesUid, reader));
  if (!read) return undefined;
  const { series, unmeasured } = read;
  // Numbered as the viewer numbers them: the position in the series' findings list as this reader sees it.
  const rows = read.findings.map((f) => f.row);
  const kept = read.findings.filter((f) => KEPT.has(f.row.decision));
  const rejected = read.findings.filter((f) => f.row.decision === 'rejected');
  const pending = read.findings.filter((f) => f.row.decision === 'pending');
  const models = [
    ...new Set(rows.filter((r) => r.modelId).map((r) => `${r.modelId} ${r.modelVersion ?? ''}`.trim())),
  ];
  const lines = [
    `Overread findings — ${[series.studyDescription, formatDicomDate(series.studyDate)].filter(Boolean).join(', ')} · ${series.seriesDescription || series.modality} (${series.instances} images)`,
    [reader ? `Reader: ${reader}` : null, models.length ? `model ${models.join(', ')}` : null]
      .filter(Boolean)
      .join(' · '),
    'Research use only — not for diagnosis.',
    '',
    kept.length === 0 ? 'No nodule kept.' : `Nodules kept (${kept.length}):`,
    ...kept.map((f) => keptLine(f.number, f.row, f.sliceRange)),
  ];
  if (rejected.length > 0)
    lines.push(
      `Rejected (${rejected.length}): ${rejected.map((f) => `#${f.number}${f.row.reason ? ` ${f.row.reason}` : ''}`).join(', ')}.`,
    );
  if (pending.length > 0)
    lines.push(`Not yet reviewed (${pending.length}): ${pending.map((f) => `#${f.number}`).join(', ')}.`);
  if (unmeasured) lines.push(`(Density and axes: ${unmeasured}.)`);
  return {
    text: `${lines.filter((line, i) => line !== '' || i === 3).join('\n')}\n`,
    kept: kept.length,
    rejected: rejected.length,
    pending: pending.length,
    unmeasured,
  };
}
