// Owns turning the store's review records into the decision set the metrics use. A series counts as reviewed
// when a reader marked it done: half-read series would pass unread proposals off as misses or hits. Each
// series contributes its latest complete model run's findings with the latest decision anyone made on them,
// and the findings readers added. Dice (proposal vs final) is measured on the sparse masks; a reader-added
// finding's peak probability is read from the run's kept probability map, so calibration can tell which
// misses a lower threshold would have caught.
import type { DatasetStore, StoredFinding, StoredSeries } from '../dataset/dataset-types.ts';
import type { ReviewedFinding, ReviewedSeries } from './decision-set.ts';
import { maskDice } from './mask-dice.ts';

const PAGE = 500;

/** Every series with the given status, page by page (the store caps a page). */
export function seriesWithStatus(store: DatasetStore, status: StoredSeries['status']): StoredSeries[] {
  const out: StoredSeries[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { rows, total } = store.worklist({ status, limit: PAGE, offset });
    out.push(...rows.map((r) => r.series));
    if (rows.length === 0 || offset + rows.length >= total) return out;
  }
}

/** Highest kept probability (0–1) over a mask, or null when the run kept no map for those slices. */
function peakProbability(
  store: DatasetStore,
  runId: number,
  plane: number,
  voxels: Uint32Array,
): number | null {
  let peak = -1;
  let k = -1;
  let slice: Uint8Array | undefined;
  for (const index of voxels) {
    const sliceIndex = Math.floor(index / plane);
    if (sliceIndex !== k) {
      k = sliceIndex;
      slice = store.probabilitySlice(runId, k);
      if (!slice) return null;
    }
    const value = (slice as Uint8Array)[index - k * plane];
    if (value > peak) peak = value;
  }
  return peak < 0 ? null : peak / 255;
}

function reviewedFinding(
  store: DatasetStore,
  f: StoredFinding,
  runId: number,
  plane: number,
): ReviewedFinding {
  const decision = f.decision;
  if (f.source === 'reader') {
    const reader = f.addedBy ?? decision?.reader;
    return {
      source: 'reader',
      score: null,
      // Another reader may have rejected an addition; then it is nobody's miss.
      kind: decision?.kind === 'rejected' ? 'rejected' : 'added',
      reason: decision?.reason ?? null,
      dice: null,
      peakProbability: peakProbability(
        store,
        runId,
        plane,
        store.maskVoxels(f.id, 'final', reader ?? undefined),
      ),
    };
  }
  const kind = decision?.kind ?? null;
  return {
    source: 'model',
    score: f.score,
    kind: kind === 'added' ? 'confirmed' : kind,
    reason: decision?.reason ?? null,
    dice:
      kind === 'corrected' && decision
        ? maskDice(store.maskVoxels(f.id, 'proposal'), store.maskVoxels(f.id, 'final', decision.reader))
        : null,
    peakProbability: null,
  };
}

/** The reader who made most of the decisions (the latest on a tie), or null when there were none. */
function mainReader(findings: readonly StoredFinding[]): string | null {
  const tally = new Map<string, { count: number; latest: string }>();
  for (const f of findings) {
    const reader = f.decision?.reader ?? (f.source === 'reader' ? f.addedBy : null);
    if (!reader) continue;
    const at = f.decision?.at ?? '';
    const entry = tally.get(reader) ?? { count: 0, latest: '' };
    tally.set(reader, { count: entry.count + 1, latest: at > entry.latest ? at : entry.latest });
  }
  let best: [string, { count: number; latest: string }] | null = null;
  for (const entry of tally) {
    if (
      !best ||
      entry[1].count > best[1].count ||
      (entry[1].count === best[1].count && entry[1].latest > best[1].latest)
    )
      best = entry;
  }
  return best ? best[0] : null;
}

export interface CollectOptions {
  /** Only series whose latest run used this model. */
  modelId?: string;
}

export function collectDecisions(store: DatasetStore, options: CollectOptions = {}): ReviewedSeries[] {
  const out: ReviewedSeries[] = [];
  for (const s of seriesWithStatus(store, 'done')) {
    if (s.latestRunId === null) continue; // reviewed without a model run: nothing to say about the model
    const run = store.run(s.latestRunId);
    if (!run || run.state !== 'complete') continue;
    if (options.modelId && run.model.id !== options.modelId) continue;
    const findings = store.findings(s.seriesUid);
    const plane = s.rows * s.columns;
    const times = findings.map((f) => f.decision?.at).filter((at): at is string => Boolean(at));
    out.push({
      seriesUid: s.seriesUid,
      modelId: run.model.id,
      modelVersion: run.model.version,
      runThreshold: run.threshold,
      score: s.score ?? run.score,
      reader: mainReader(findings),
      scannerModel: s.scannerModel,
      sliceThicknessMm: s.sliceThicknessMm,
      reviewedAt: times.length ? times.sort().at(-1)! : s.arrivedAt,
      findings: findings.map((f) => reviewedFinding(store, f, run.id, plane)),
    });
  }
  return out;
}
