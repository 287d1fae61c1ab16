// Owns one export run end to end: assigns case ids, writes the chosen format's files (NIfTI / nnU-Net, DICOM
// SEG with optional de-identified image copies, CSV/JSON), de-identifies every object and sidecar when asked,
// writes the manifest last and makes the folder appear atomically. Knows nothing of SQLite or the CLI.
import { existsSync } from 'node:fs';
import { readFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { deidentifyDicom } from '../dicom/deidentify/deidentify-dicom.ts';
import type { DeidentifyContext } from '../dicom/deidentify/deidentify-dataset.ts';
import { Pseudonyms, UidRemapper } from '../dicom/deidentify/uid-remapper.ts';
import { newUid } from '../dicom/write-seg/build-seg.ts';
import { readSourceHeader, writeSeg } from '../dicom/write-seg/write-seg.ts';
import { writeCaseReport, type CaseReport } from './case-report.ts';
import { writeExportAtomically } from './atomic-export-dir.ts';
import { deidentifyFindingRows } from './deidentify-rows.ts';
import type {
  ExportOptions,
  ExportSeries,
  ExportSourceFile,
  ExportSummary,
  PriorChanges,
  SkippedCase,
} from './export-types.ts';
import { measureFindings, type DecodedCase } from './finding-density.ts';
import { findingsToCsv, findingsToJson, type FindingExportRow } from './findings-table.ts';
import { writeManifest, type ManifestModel } from './manifest.ts';
import {
  imagePath,
  labelPath,
  monaiDatalist,
  nnunetDatasetJson,
  writeTrainingCase,
} from './nnunet-layout.ts';
import { assertOutside, writePseudonymKey } from './pseudonym-key.ts';

interface CaseContext {
  caseId: string;
  series: ExportSeries;
  deidentify?: DeidentifyContext;
}

export async function runExport(allSeries: ExportSeries[], options: ExportOptions): Promise<ExportSummary> {
  const outDir = path.resolve(options.outDir);
  if (options.keyFile && !options.deidentify)
    throw new Error('--key-file only makes sense with --deidentify');
  if (options.keyFile) {
    assertOutside(options.keyFile, outDir);
    if (existsSync(options.keyFile))
      throw new Error(`key file ${options.keyFile} already exists — choose a new name`);
  }
  const uids = new UidRemapper(randomBytes(32));
  const pseudonyms = new Pseudonyms({ reader: 2 });
  const cases: CaseContext[] = allSeries.map((series, i) => {
    const caseId = `case_${String(i + 1).padStart(4, '0')}`;
    if (!options.deidentify) return { caseId, series };
    const patient = pseudonyms.of('patient', series.patientId ?? series.studyInstanceUid);
    pseudonyms.of('case', `${series.studyInstanceUid}/${series.seriesInstanceUid}`);
    const reader = lastReader(series);
    const replacements: Record<string, string> = { '00100010': patient, '00100020': patient };
    if (reader) replacements['00700084'] = pseudonyms.of('reader', reader);
    return { caseId, series, deidentify: { uids, replacements } };
  });

  const skipped: SkippedCase[] = [];
  const summary = await writeExportAtomically(outDir, async (work) => {
    const total = cases.length;
    const progress = (done: number, step: string) => options.onProgress?.({ done, total, step });
    const exported: CaseContext[] = [];
    for (const [index, context] of cases.entries()) {
      progress(index, `${context.caseId}: writing ${options.format}`);
      let decoded: WrittenCase | undefined;
      try {
        decoded = await writeCase(work, context, options);
        exported.push(context);
      } catch (error) {
        // One unreadable series must not sink the others: drop this case's files and say why.
        await removeCaseFiles(work, context.caseId);
        const message = error instanceof Error ? error.message : String(error);
        skipped.push({
          caseId: context.caseId,
          // A de-identified export must not carry source paths (they can hold names); stderr gets the details.
          reason: options.deidentify ? 'source could not be read or written' : message,
        });
        options.onProgress?.({ done: index + 1, total, step: `${context.caseId}: skipped — ${message}` });
        continue;
      }
      progress(index, `${context.caseId}: measuring its findings' density and axes`);
      const unmeasured = await measureFindings(context.series, decoded);
      if (unmeasured) options.onProgress?.({ done: index, total, step: `${context.caseId}: ${unmeasured}` });
      if (context.series.compareWithPrior) {
        progress(index, `${context.caseId}: comparing with the patient's prior study`);
        const note = await fillPriorColumns(context.series);
        if (note) options.onProgress?.({ done: index, total, step: `${context.caseId}: ${note}` });
      }
      if (decoded?.report) {
        progress(index, `${context.caseId}: writing the measurement report (SR)`);
        await writeCaseReport(decoded.report, context.series.findings, context.deidentify);
      }
    }
    progress(total, 'writing findings table and manifest');
    const rows = tableRows(exported);
    const exportedRows = options.deidentify ? deidentifyFindingRows(rows, uids, pseudonyms) : rows;
    if (options.format === 'json') {
      await writeFile(path.join(work, 'findings.json'), findingsToJson(exportedRows));
    } else {
      await writeFile(path.join(work, 'findings.csv'), findingsToCsv(exportedRows));
    }
    if (options.format === 'nnunet' || options.format === 'nifti') {
      const ids = cases.map((c) => c.caseId);
      if (options.format === 'nnunet')
        await writeFile(path.join(work, 'dataset.json'), nnunetDatasetJson(ids));
      await writeFile(path.join(work, 'datalist.json'), monaiDatalist(ids));
    }
    if (!options.deidentify) {
      // Which source series each case is; in a de-identified export this link lives only in the key file.
      const index = cases.map((c) => ({
        case_id: c.caseId,
        study_instance_uid: c.series.studyInstanceUid,
        series_instance_uid: c.series.seriesInstanceUid,
      }));
      await writeFile(path.join(work, 'cases.json'), `${JSON.stringify(index, null, 2)}\n`);
    }
    const readers = [...new Set(exportedRows.map((r) => r.reader).filter((r): r is string => !!r))].sort();
    const manifest = await writeManifest(work, {
      format: options.format,
      datasetVersion: options.datasetVersion,
      deidentified: !!options.deidentify,
      counts: { cases: exported.length, findings: rows.length, skippedCases: skipped.length },
      skippedCases: skipped,
      models: modelsOf(rows),
      readers,
      selection: options.selection,
    });
    return {
      outDir,
      cases: exported.length,
      findings: rows.length,
      files: manifest.files.length + 1,
      skipped,
    };
  });
  if (options.keyFile) {
    await writePseudonymKey(options.keyFile, outDir, uids, pseudonyms);
    return { ...summary, keyFile: path.resolve(options.keyFile) };
  }
  return summary;
}

async function removeCaseFiles(work: string, caseId: string): Promise<void> {
  for (const file of [caseId, imagePath(caseId), labelPath(caseId)]) {
    await rm(path.join(work, file), { recursive: true, force: true });
  }
}

function nameOf(file: string | ExportSourceFile): string {
  return typeof file === 'string' ? file : file.name;
}

async function readSource(file: string | ExportSourceFile): Promise<Uint8Array> {
  return typeof file === 'string' ? new Uint8Array(await readFile(file)) : file.read();
}

function lastReader(series: ExportSeries): string | undefined {
  const decided = series.findings
    .filter((f) => f.row.reader)
    .sort((a, b) => (a.row.decidedAt ?? '').localeCompare(b.row.decidedAt ?? ''));
  return decided.at(-1)?.row.reader;
}

/**
 * Fills the series' rows' prior columns from its follow-up; returns why it could not (the rows then keep them
 * empty: a prior that cannot be read must not cost the export), or null.
 */
async function fillPriorColumns(series: ExportSeries): Promise<string | null> {
  let compared: PriorChanges | null;
  try {
    compared = await series.compareWithPrior!();
  } catch (error) {
    return `no comparison with the prior study: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!compared) return null;
  const byFinding = new Map(compared.changes.filter((c) => c.current).map((c) => [c.current!, c]));
  for (const { row } of series.findings) {
    const change = byFinding.get(row.findingId);
    if (!change) continue;
    Object.assign(row, {
      priorSeriesInstanceUid: compared.priorSeriesInstanceUid,
      priorFindingId: change.prior,
      priorIntervalDays: compared.intervalDays ?? undefined,
      changeSincePrior: change.change,
      meanDiameterChangeMm: change.meanDiameterChangeMm,
      volumeChangePercent: change.volumeChangePercent,
      doublingDays: change.doublingDays,
      priorAlignment: compared.uncertain ? 'uncertain' : 'good',
    } satisfies Partial<FindingExportRow>);
  }
  return null;
}

function tableRows(cases: CaseContext[]): FindingExportRow[] {
  return cases.flatMap(({ caseId, series }) => series.findings.map((f) => ({ caseId, ...f.row })));
}

function modelsOf(rows: FindingExportRow[]): ManifestModel[] {
  const models = new Map<string, ManifestModel>();
  for (const row of rows) {
    if (!row.modelId) continue;
    const model = { id: row.modelId, version: row.modelVersion ?? '', sha256: row.modelSha256 ?? '' };
    models.set(`${model.id}@${model.version}#${model.sha256}`, model);
  }
  return [...models.values()];
}

/** A case written: the volume and masks it decoded, and for a SEG what its measurement report will need. */
type WrittenCase = DecodedCase & { report?: CaseReport };

/** Writes one case's files; returns the volume and masks it decoded (none for the table-only formats). */
async function writeCase(
  work: string,
  context: CaseContext,
  options: ExportOptions,
): Promise<WrittenCase | undefined> {
  const { caseId, series } = context;
  if (options.format === 'csv' || options.format === 'json') return undefined;
  const loaded = await series.loadVolume();
  const { volume, sourceImages } = loaded;
  const masks = await Promise.all(
    series.findings.map(async (f) => (f.loadMask ? await f.loadMask() : undefined)),
  );
  if (options.format === 'nnunet' || options.format === 'nifti') {
    const label = new Uint8Array(volume.voxels.length);
    for (const mask of masks) {
      if (!mask) continue;
      if ('indices' in mask) {
        for (const index of mask.indices) {
          if (index >= label.length) throw new Error(`${caseId}: a finding voxel lies outside its volume`);
          label[index] = 1;
        }
      } else {
        if (mask.length !== label.length)
          throw new Error(`${caseId}: a finding mask does not match its volume`);
        for (let i = 0; i < label.length; i++) if (mask[i]) label[i] = 1;
      }
    }
    // Plain NIfTI uses nnU-Net's file names too, so the MONAI datalist serves both; only nnunet adds dataset.json.
    await writeTrainingCase(work, {
      caseId,
      image: volume,
      label: { geometry: volume.geometry, voxels: label },
    });
    return { volume, masks };
  }
  // dicom-seg
  const caseDir = path.join(work, caseId);
  await mkdir(caseDir, { recursive: true });
  // The labelled findings, by index: segment n + 1 is finding labelled[n] (the report refers to them so).
  const labelled = series.findings.flatMap((_, i) => (masks[i] ? [i] : []));
  const segments = labelled.map((i) => {
    const finding = series.findings[i]!;
    return {
      label: `Nodule ${finding.row.findingId}`,
      algorithmType: finding.algorithmType,
      algorithmName: finding.algorithmName,
      mask: masks[i]!,
    };
  });
  let report: CaseReport | undefined;
  if (segments.length > 0) {
    const [first] = series.files;
    const header = readSourceHeader(nameOf(first), await readSource(first));
    // Chosen here so the measurement report written after measuring can reference the SEG by its UIDs.
    const seg = { sopInstanceUid: newUid(), seriesInstanceUid: newUid() };
    const written = writeSeg(
      {
        geometry: volume.geometry,
        sourceImages,
        sourceHeader: header,
        segments,
        contentCreatorName: lastReader(series),
        ...seg,
      },
      context.deidentify,
    );
    await writeFile(path.join(caseDir, 'seg.dcm'), written.bytes);
    report = {
      caseDir,
      header,
      sourceSeriesUid: series.seriesInstanceUid,
      sourceImages: written.slices.map((k) => sourceImages[k]!),
      seg,
      segmentFindings: labelled,
    };
  }
  if (context.deidentify) {
    // The SEG's references were remapped; the images it references must travel with it, remapped alike.
    await mkdir(path.join(caseDir, 'images'), { recursive: true });
    for (const [i, file] of series.files.entries()) {
      const result = deidentifyDicom(nameOf(file), await readSource(file), context.deidentify);
      await writeFile(path.join(caseDir, 'images', `${String(i + 1).padStart(5, '0')}.dcm`), result.bytes);
    }
  }
  return { volume, masks, report };
}
