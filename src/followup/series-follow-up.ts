// Owns the follow-up of a series against a prior scan of the same patient: which series can be compared
// (same Patient ID, another study), lining the two up (a coarse lattice of each, decoded a few slices at a
// time, registered by translation — kept in the dataset, since the images do not change until imported
// again, and the latest pairs in memory), and pairing the nodules each reader kept or has still to decide
// (match-nodules.ts). The findings on both sides are the reader's own view, measured as the export measures
// them (src/export/reader-findings.ts).
import type { DatasetStore, StoredSeries } from '../dataset/dataset-types.ts';
import { DatasetError } from '../dataset/store-context.ts';
import type { VolumeGeometry } from '../dicom/volume.ts';
import { seriesSliceLoader } from '../export/dataset-export.ts';
import type { ExportSeries, PriorChanges } from '../export/export-types.ts';
import { readerFindings, type ReaderFinding, type ReaderFindings } from '../export/reader-findings.ts';
import type { FollowUp, PriorSeries, TrackedNodule } from '../shared/api-types.ts';
import { daysBetween } from '../shared/dicom-date.ts';
import { followUpLines } from '../shared/follow-up-text.ts';
import { LatticeBuilder, type CoarseLattice } from './coarse-lattice.ts';
import { matchNodules, meanDiameterMm } from './match-nodules.ts';
import { registerTranslation, type Registration } from './register-translation.ts';

/** Cell of the finest lattice (mm): nodules are matched within ≥ 10 mm, so 4 mm (sub-cell fitted) is ample. */
const CELL_MM = 4;
/** Slices decoded at a time while building a lattice, so a series never sits in memory whole. */
const CHUNK = 16;
/** Pairs whose registration is kept in memory (all are kept in the dataset). */
const CACHED_PAIRS = 16;
/**
 * What the dataset keeps registrations under: a change to the lattice, the search or its ranges must change
 * this, so that registrations found the old way are found again rather than reused.
 */
const REGISTRATION_METHOD = 'translation-ncc-4mm-v1';

function priorSeries(series: StoredSeries, of: StoredSeries): PriorSeries {
  return {
    seriesUid: series.seriesUid,
    studyUid: series.studyUid,
    studyDate: series.studyDate,
    studyDescription: series.studyDescription,
    seriesDescription: series.seriesDescription,
    modality: series.modality,
    instances: series.instances,
    status: series.status,
    daysBefore: daysBetween(series.studyDate, of.studyDate),
  };
}

function tracked(finding: ReaderFinding): TrackedNodule | undefined {
  const { row } = finding;
  if (row.decision === 'rejected' || !row.centreLps) return undefined;
  const nodule: TrackedNodule = {
    id: row.findingId,
    number: finding.number,
    decision: row.decision,
    centreLps: row.centreLps,
    sliceRange: finding.sliceRange,
    ...(row.diameterMm === undefined ? {} : { diameterMm: row.diameterMm }),
    ...(row.longAxisMm === undefined ? {} : { longAxisMm: row.longAxisMm, shortAxisMm: row.shortAxisMm }),
    ...(row.volumeMm3 === undefined ? {} : { volumeMm3: row.volumeMm3 }),
  };
  const mean = meanDiameterMm(nodule);
  return mean === undefined ? nodule : { ...nodule, meanDiameterMm: Math.round(mean * 10) / 10 };
}

export class FollowUpService {
  private readonly registrations = new Map<string, Promise<Registration & { seconds: number }>>();

  constructor(private readonly store: DatasetStore) {}

  /** The patient's series in other studies, newest first, each with how many days before this one it was. */
  priors(seriesUid: string): PriorSeries[] {
    const series = this.require(seriesUid);
    return this.store.patientSeries(seriesUid).map((other) => priorSeries(other, series));
  }

  /** `measured`: this series' findings as readerFindings gave them, when the caller has them already. */
  async compare(
    seriesUid: string,
    priorUid: string,
    reader: string | null,
    measured?: ReaderFindings,
  ): Promise<FollowUp> {
    const series = this.require(seriesUid);
    const prior = this.require(priorUid);
    if (!this.store.patientSeries(seriesUid).some((s) => s.seriesUid === priorUid)) {
      throw new DatasetError(
        `series ${priorUid} is not another study of this series' patient — pick one of /api/series/${seriesUid}/priors`,
        'invalid',
      );
    }
    const [currentGeometry, priorGeometry] = [series, prior].map((s) => {
      if (!s.geometry)
        throw new DatasetError(
          `series ${s.seriesUid} has no volume geometry, so it cannot be lined up`,
          'invalid',
        );
      return s.geometry;
    });
    const registration = await this.registration(series, prior);
    const [now, then] = await Promise.all([
      measured ?? readerFindings(this.store, seriesUid, reader),
      readerFindings(this.store, priorUid, reader),
    ]);
    const current = (now?.findings ?? []).flatMap((f) => tracked(f) ?? []);
    const priorNodules = (then?.findings ?? []).flatMap((f) => tracked(f) ?? []);
    const intervalDays = daysBetween(prior.studyDate, series.studyDate);
    const { seconds, ...figures } = registration;
    return {
      seriesUid,
      prior: priorSeries(prior, series),
      registration: {
        ...figures,
        uncertain: figures.correlation < 0.5 || figures.overlap < 0.5,
        seconds,
      },
      current,
      priorNodules,
      changes: matchNodules({
        current,
        prior: priorNodules,
        translationMm: figures.translationMm,
        intervalDays,
        currentGeometry,
        priorGeometry,
      }),
      unmeasured: now?.unmeasured ?? then?.unmeasured ?? null,
    };
  }

  /**
   * The findings report's follow-up paragraph: against the patient's most recent earlier study in the same
   * modality, or nothing when there is none; a comparison that fails says why in one line rather than
   * failing the report.
   */
  async reportLines(seriesUid: string, reader: string | null, measured?: ReaderFindings): Promise<string[]> {
    const prior = this.latestPrior(seriesUid);
    if (!prior) return [];
    try {
      const followUp = await this.compare(seriesUid, prior.seriesUid, reader, measured);
      const [summary, ...lines] = followUpLines(followUp);
      const caution = followUp.registration.uncertain
        ? ' (the scans lined up poorly: check the matches)'
        : '';
      return [`${summary}${caution}:`, ...lines.map((line) => `  ${line}`)];
    } catch (error) {
      return [`(No comparison with the prior study: ${(error as Error).message}.)`];
    }
  }

  /**
   * The patient's most recent study before this one in the same modality — what the report and the export
   * compare with — or undefined. A later study is never a prior: it would read growth backwards.
   */
  latestPrior(seriesUid: string): PriorSeries | undefined {
    const modality = this.require(seriesUid).modality;
    return this.priors(seriesUid).find(
      (p) => p.modality === modality && p.daysBefore !== null && p.daysBefore > 0,
    );
  }

  /** The export's prior columns for a series: its comparison with latestPrior, or null without one. */
  async priorChanges(seriesUid: string, reader: string | null): Promise<PriorChanges | null> {
    const prior = this.latestPrior(seriesUid);
    if (!prior) return null;
    const followUp = await this.compare(seriesUid, prior.seriesUid, reader);
    return {
      priorSeriesInstanceUid: prior.seriesUid,
      intervalDays: prior.daysBefore,
      uncertain: followUp.registration.uncertain,
      changes: followUp.changes,
    };
  }

  /** Lets each planned series of an export fill its prior columns (runExport calls it case by case). */
  attachTo(series: ExportSeries[], reader: string | null): void {
    for (const one of series) one.compareWithPrior = () => this.priorChanges(one.seriesInstanceUid, reader);
  }

  private require(seriesUid: string): StoredSeries {
    const series = this.store.series(seriesUid);
    if (!series) throw new DatasetError(`series ${seriesUid} is not in the dataset`, 'not-found');
    return series;
  }

  private registration(
    series: StoredSeries,
    prior: StoredSeries,
  ): Promise<Registration & { seconds: number }> {
    const key = `${series.seriesUid}|${prior.seriesUid}`;
    let pending = this.registrations.get(key);
    if (!pending) {
      pending = (async () => {
        // Kept in the dataset once found: the worklist asks for every follow-up's after each start.
        const kept = this.store.registration(series.seriesUid, prior.seriesUid, REGISTRATION_METHOD);
        if (kept) return kept;
        const started = performance.now();
        const [a, b] = [await this.lattice(series), await this.lattice(prior)];
        const found = await registerTranslation(a, b);
        const registration = { ...found, seconds: Math.round(performance.now() - started) / 1000 };
        try {
          this.store.saveRegistration(series.seriesUid, prior.seriesUid, REGISTRATION_METHOD, registration);
        } catch {
          // Keeping it only saves the next start a search (the dataset may be busy or read-only): the
          // comparison stands without it.
        }
        return registration;
      })();
      this.registrations.set(key, pending);
      // A failure is not remembered: the next request tries again (a file may have been restored).
      pending.catch(() => this.registrations.delete(key));
      while (this.registrations.size > CACHED_PAIRS) {
        this.registrations.delete(this.registrations.keys().next().value!);
      }
    }
    return pending;
  }

  /** Every few slices of the series (about two per cell), decoded a chunk at a time into the lattice. */
  private async lattice(series: StoredSeries): Promise<CoarseLattice> {
    const geometry = series.geometry as VolumeGeometry;
    const loadSlices = seriesSliceLoader(this.store, series);
    const step = Math.max(1, Math.floor(CELL_MM / 2 / Math.abs(geometry.spacing[2])));
    const ks: number[] = [];
    for (let k = 0; k < geometry.size[2]; k += step) ks.push(k);
    const builder = new LatticeBuilder(geometry, CELL_MM);
    for (let n = 0; n < ks.length; n += CHUNK) {
      const slices = await loadSlices(ks.slice(n, n + CHUNK));
      for (const [k, values] of slices) builder.add(k, values);
    }
    return builder.finish();
  }
}
