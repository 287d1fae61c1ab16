// Owns turning the labeled-dataset store into what the export orchestrator writes: which series (by review
// status), which findings (final labels only unless proposals are asked for), which mask of each (the
// reader's final outline, or the model's proposal), its Segment Algorithm Type, and the provenance row
// (model id/version/sha256, score, decision, reader, time, measurements). Reads the store only through the
// DatasetStore contract; writes nothing.
//
// What goes where, and why:
// - Confirmed, corrected and added findings are labels (mask + row).
// - Rejected findings are rows without a mask: a researcher evaluating a model needs its false positives and
//   the reader's reason, but a rejected outline must never become a training label.
// - Undecided model proposals are left out entirely unless `includeProposals`; then they are rows with the
//   proposal mask, Segment Algorithm Type AUTOMATIC and decision "pending".
// - A corrected finding's volume, diameter and centre are measured on the reader's final mask.
import type {
  DatasetStore,
  DecisionKind,
  ModelRef,
  SeriesStatus,
  StoredFinding,
  StoredSeries,
} from '../dataset/dataset-types.ts';
import { auditHead } from '../dataset/audit-chain.ts';
import { hasLabel, segmentAlgorithmType } from './segment-algorithm.ts';
import type { ExportFinding, ExportSeries, ExportSourceFile } from './export-types.ts';
import { loadIndexedSeries, loadIndexedSlices, type ReadInstance } from './load-series-volume.ts';
import { createInstanceReader, instanceName } from './read-instance.ts';
import { measureMask } from '../dataset/mask-measurements.ts';

export type ExportStatusFilter = SeriesStatus | 'all';

export const EXPORT_STATUS_FILTERS: readonly ExportStatusFilter[] = [
  'done',
  'in-review',
  'flagged',
  'no-findings',
  'outside-scope',
  'unread',
  'model-running',
  'all',
];

export interface DatasetExportFilter {
  /** Series review status to export (default 'done': reviewed series only); 'all' takes every series. */
  status?: ExportStatusFilter;
  /** Whose decisions and final masks to export (default: the latest decision of any reader). */
  reader?: string;
  /** Also export the model's undecided proposals (AUTOMATIC segments, decision "pending"). */
  includeProposals?: boolean;
}

export interface DatasetExportPlan {
  series: ExportSeries[];
  /** What was asked, for the manifest (the reader's name only when not de-identifying). */
  selection: Record<string, unknown>;
  /** The store's state the export reflects: the head of its append-only audit log. */
  datasetVersion: string;
}

/** The decision vocabulary of the export: the store's decision kinds, plus "pending" for no decision yet. */
export type ExportDecision = DecisionKind | 'pending';

const PAGE = 500;

/** Every series of the store with the given status, in worklist order. */
function seriesWithStatus(store: DatasetStore, status: ExportStatusFilter, reader?: string): StoredSeries[] {
  const out: StoredSeries[] = [];
  const seen = new Set<string>();
  for (let offset = 0; ; offset += PAGE) {
    const page = store.worklist(
      { status: status === 'all' ? undefined : status, limit: PAGE, offset },
      reader,
    );
    for (const row of page.rows) {
      if (seen.has(row.series.seriesUid)) continue;
      seen.add(row.series.seriesUid);
      out.push(row.series);
    }
    if (page.rows.length < PAGE || offset + PAGE >= page.total) break;
  }
  return out;
}

function sameVoxels(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The decision a finding is exported with. A reader who corrected the outline and then confirmed it has the
 * latest decision "confirmed", yet the label is the reader's own: it is exported as "corrected" (MANUAL), the
 * way the Segment Algorithm Type must describe who drew it.
 */
function decisionOf(
  store: DatasetStore,
  finding: StoredFinding,
  maskReader: string | undefined,
): ExportDecision {
  const kind = finding.decision?.kind;
  if (!kind) return finding.source === 'reader' ? 'added' : 'pending';
  if (kind === 'confirmed' && finding.source === 'model') {
    const final = store.maskVoxels(finding.id, 'final', maskReader);
    const proposal = store.maskVoxels(finding.id, 'proposal');
    if (!sameVoxels(final, proposal)) return 'corrected';
  }
  return kind;
}

function exportFinding(
  store: DatasetStore,
  series: StoredSeries,
  finding: StoredFinding,
  filter: DatasetExportFilter,
  model: ModelRef | undefined,
): ExportFinding | undefined {
  const reader = finding.decision?.reader ?? finding.addedBy ?? undefined;
  // The final mask of the reader whose decision is exported (or of the reader asked about).
  const maskReader = filter.reader ?? reader;
  const decision = decisionOf(store, finding, maskReader);
  // Asked for one reader's labels: a finding another reader painted, which this one never decided, is not hers.
  if (
    filter.reader &&
    !finding.decision &&
    finding.source === 'reader' &&
    finding.addedBy !== filter.reader
  ) {
    return undefined;
  }
  const includeProposals = !!filter.includeProposals;
  if (decision === 'pending' && !includeProposals) return undefined;
  const proposal = decision === 'pending';
  const algorithmType = segmentAlgorithmType({ decision, proposal });
  const labeled = hasLabel(decision, includeProposals);
  // The store keeps the proposal's measurements with a finding (the model's, or an added finding's first
  // painting); a corrected one, or an added one painted further, is measured as the reader left it.
  const final =
    (decision === 'corrected' || decision === 'added') && series.geometry
      ? store.maskVoxels(finding.id, 'final', maskReader)
      : undefined;
  const measured =
    final && (decision === 'corrected' || !sameVoxels(final, store.maskVoxels(finding.id, 'proposal')))
      ? measureMask(final, series.geometry!)
      : undefined;
  return {
    row: {
      studyInstanceUid: series.studyUid,
      seriesInstanceUid: series.seriesUid,
      findingId: String(finding.id),
      modelId: model?.id,
      modelVersion: model?.version,
      modelSha256: model?.sha256,
      score: finding.score ?? undefined,
      decision,
      reason: finding.decision?.reason ?? undefined,
      reader: decision === 'pending' ? undefined : reader,
      decidedAt: finding.decision?.at,
      volumeMm3: measured?.volumeMm3 ?? finding.volumeMm3,
      diameterMm: measured?.diameterMm ?? finding.diameterMm,
      centreLps: measured?.centreLps ?? finding.centerMm,
    },
    algorithmType,
    algorithmName:
      algorithmType !== 'MANUAL' && model ? `${model.id} ${model.version}`.slice(0, 64) : undefined,
    loadMask: labeled
      ? async () => ({
          indices: proposal
            ? store.maskVoxels(finding.id, 'proposal')
            : store.maskVoxels(finding.id, 'final', maskReader),
        })
      : undefined,
  };
}

function sourceFiles(series: StoredSeries, read: ReadInstance): (string | ExportSourceFile)[] {
  return series.indexed.instances.map((instance) =>
    instance.zipEntry === undefined
      ? instance.path
      : { name: instanceName(instance), read: () => read(instance) },
  );
}

/**
 * Stored masks index the series as it was imported; a moved or rewritten file would misplace them, so the export
 * refuses it. 'named' says which series and file (a skipped case's reason, which a de-identified export
 * replaces); 'anonymous' says neither, for the density note that goes to the export's progress as it is.
 */
function requireUnchanged(store: DatasetStore, uid: string, how: 'named' | 'anonymous'): void {
  const changed = store.changedFiles(uid);
  if (changed.length === 0) return;
  const [first] = changed;
  const what = `${changed.length} source file(s) ${first!.reason} since import`;
  throw new Error(
    how === 'named'
      ? `series ${uid}: ${what} (first: ${instanceName(first!)}) — restore them or re-import the folder`
      : `${what} — restore them or re-import the folder`,
  );
}

/**
 * Decodes chosen slices of an imported series (geometry required) as modality values keyed by k, refusing a
 * series whose files changed since import — what measuring findings, and lining a follow-up up with its
 * prior, read.
 */
export function seriesSliceLoader(
  store: DatasetStore,
  series: StoredSeries,
  read: ReadInstance = createInstanceReader(),
): (ks: readonly number[]) => Promise<Map<number, Float32Array>> {
  return (ks) => {
    if (!series.geometry)
      throw new Error(`series ${series.seriesUid} has no usable geometry — it has no volume`);
    requireUnchanged(store, series.seriesUid, 'anonymous');
    return loadIndexedSlices(series.indexed, ks, { geometry: series.geometry, read });
  };
}

function toExportSeries(
  store: DatasetStore,
  series: StoredSeries,
  filter: DatasetExportFilter,
): ExportSeries {
  const models = new Map<number, ModelRef | undefined>();
  const modelOf = (runId: number | null) => {
    if (runId === null) return undefined;
    if (!models.has(runId)) models.set(runId, store.run(runId)?.model);
    return models.get(runId);
  };
  const findings = store
    .findings(series.seriesUid, filter.reader)
    .flatMap((finding) => exportFinding(store, series, finding, filter, modelOf(finding.runId)) ?? []);
  const read = createInstanceReader();
  const uid = series.seriesUid;
  return {
    studyInstanceUid: series.studyUid,
    seriesInstanceUid: uid,
    patientId: series.patientId,
    files: sourceFiles(series, read),
    async loadVolume() {
      const { geometry } = series;
      if (!geometry) {
        throw new Error(
          `series ${uid} has no usable geometry (no positions or orientation) — it has no volume`,
        );
      }
      requireUnchanged(store, uid, 'named');
      return loadIndexedSeries(series.indexed, { geometry, read });
    },
    measure: series.geometry
      ? {
          modality: series.modality,
          geometry: series.geometry,
          loadSlices: seriesSliceLoader(store, series, read),
        }
      : undefined,
    findings,
  };
}

/** One series as an export sees it, whatever its review status (the findings report, series-report.ts). */
export function planSeriesExport(
  store: DatasetStore,
  seriesUid: string,
  filter: Omit<DatasetExportFilter, 'status'> = {},
): ExportSeries | undefined {
  const series = store.series(seriesUid);
  return series && toExportSeries(store, series, filter);
}

/** The series and findings of the store that `filter` selects, ready for runExport. */
export function planDatasetExport(
  store: DatasetStore,
  filter: DatasetExportFilter = {},
  options: { deidentify?: boolean } = {},
): DatasetExportPlan {
  const status = filter.status ?? 'done';
  const series = seriesWithStatus(store, status, filter.reader).map((s) => toExportSeries(store, s, filter));
  const head = store.lastAudit();
  return {
    series,
    selection: {
      status,
      // A reader's name identifies a person: a de-identified export only says that one was chosen.
      reader: filter.reader === undefined ? null : options.deidentify ? 'one reader' : filter.reader,
      includeProposals: !!filter.includeProposals,
    },
    datasetVersion: head ? auditHead(head) : 'empty',
  };
}
