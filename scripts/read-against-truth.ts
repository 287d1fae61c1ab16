// For the README's Model page screenshot: reads every series of a generated dataset as a careful reader would,
// with the generator's truth (`truth.json` and its label mask beside each study) for eyes — each model flag
// confirmed where it lies on a nodule (its most probable voxel, where the viewer opens it, inside the nodule's
// label, or its centre within max(radius, 5 mm) of the nodule's, the held-out evaluation's rule) and rejected
// elsewhere, each nodule of 4 mm or more that no flag found added on its middle slice, and the series marked
// done — all through the app's API from the page, as the viewer does it. The same rule finds the screenshot
// script a nodule the model missed, for the outline tool's picture.
// So the Model page's figures are the model's on those studies, not made up.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { FindingInfo, SeriesInfo } from '../src/shared/api-types.ts';
import type { NoduleTruth, SampleTruth } from '../src/sample/index.ts';
import type { OverreadApp } from '../tests/e2e/pages/overread-app.ts';

async function call(page: Page, method: string, path: string, body: unknown): Promise<void> {
  const status = await page.evaluate(
    async ({ method, path, body }) =>
      (
        await fetch(path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status,
    { method, path, body },
  );
  if (status >= 300) throw new Error(`${method} ${path}: ${status}`);
}

/** Every truth.json under `dir`, with the folder it lies in. */
function truths(dir: string): { folder: string; truth: SampleTruth }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return truths(path);
    return entry.name === 'truth.json'
      ? [{ folder: dir, truth: JSON.parse(readFileSync(path, 'utf8')) as SampleTruth }]
      : [];
  });
}

/** A generated series as the dataset holds it, beside its truth: which nodule each model flag lies on. */
interface SeriesAgainstTruth {
  uid: string;
  truth: SampleTruth;
  /** The truth's label volume (0 = background, n = nodules[n − 1]), i-fastest, k ascending in z. */
  mask: Uint8Array;
  /** The store's slice of the truth's slice k (the store's order runs along the series' stacking direction). */
  storeK(k: number): number;
  /** Each model flag with the nodule it lies on (undefined: none). */
  flags: { finding: FindingInfo; nodule: NoduleTruth | undefined }[];
  /** Nodules of 4 mm or more that no model flag lies on. */
  missed: NoduleTruth[];
}

async function againstTruth(
  app: OverreadApp,
  folder: string,
  truth: SampleTruth,
): Promise<SeriesAgainstTruth> {
  const uid = encodeURIComponent(truth.seriesInstanceUid);
  const info = await app.apiJson<SeriesInfo>(`/api/series/${uid}`);
  const findings = await app.apiJson<FindingInfo[]>(`/api/series/${uid}/findings`);
  const mask = gunzipSync(readFileSync(join(folder, truth.mask.file)));
  const [columns, rows] = truth.geometry.size;
  const plane = columns * rows;
  const storeK = (k: number) =>
    Math.round(
      (truth.slices[k]!.z - info.geometry.origin[2]) /
        (info.geometry.spacing[2] * info.geometry.direction[2][2]),
    );
  const truthK = new Map(truth.slices.map(({ k }) => [storeK(k), k]));
  const flags = findings
    .filter((finding) => finding.source === 'model')
    .map((finding) => {
      const k = truthK.get(finding.focusSlice);
      const [i, j] = finding.focusPoint;
      const under = k === undefined ? 0 : mask[k * plane + j * columns + i];
      const nodule = truth.nodules.find(
        (n) =>
          n.label === under ||
          Math.hypot(...n.centre.map((v, axis) => v - finding.centerMm[axis]!)) <=
            Math.max(n.diameterMm / 2, 5),
      );
      return { finding, nodule };
    });
  const found = new Set(flags.map((flag) => flag.nodule?.id));
  const missed = truth.nodules.filter((n) => !found.has(n.id) && n.diameterMm >= 4);
  return { uid, truth, mask, storeK, flags, missed };
}

/**
 * A nodule of `minimumMm` or more that no model flag lies on, in a series whose study has an accession number:
 * the series, its accession number, the store's slice through the nodule's centre and the centre's pixel.
 */
export async function missedNodule(
  app: OverreadApp,
  samples: string,
  minimumMm: number,
): Promise<{ seriesUid: string; k: number; point: [number, number]; diameterMm: number } | undefined> {
  for (const { folder, truth } of truths(samples)) {
    const series = await againstTruth(app, folder, truth);
    const nodule = series.missed.find((n) => n.diameterMm >= minimumMm);
    if (!nodule) continue;
    const [i, j, k] = nodule.centreVoxel.map(Math.round);
    return {
      seriesUid: truth.seriesInstanceUid,
      k: series.storeK(k!),
      point: [i!, j!],
      diameterMm: nodule.diameterMm,
    };
  }
  return undefined;
}

/**
 * Returns how many flags were confirmed and rejected and nodules added. A flag decided by hand already (the
 * screenshot script reads a little first) is decided again where the truth disagrees, and its nodule is never
 * added a second time.
 */
export async function readAgainstTruth(
  app: OverreadApp,
  samples: string,
): Promise<{ confirmed: number; rejected: number; added: number }> {
  const counts = { confirmed: 0, rejected: 0, added: 0 };
  for (const { folder, truth } of truths(samples)) {
    const { uid, mask, storeK, flags, missed } = await againstTruth(app, folder, truth);
    const [columns, rows] = truth.geometry.size;
    const plane = columns * rows;
    for (const { finding, nodule } of flags) {
      if (finding.decision?.kind === (nodule ? 'confirmed' : 'rejected')) continue;
      await call(
        app.page,
        'POST',
        `/api/findings/${finding.id}/decision`,
        nodule
          ? { kind: 'confirmed' }
          : { kind: 'rejected', reason: 'other', note: "no nodule there in the generator's truth" },
      );
      counts[nodule ? 'confirmed' : 'rejected']++;
    }
    for (const nodule of missed) {
      const k = Math.round((nodule.sliceRange.firstK + nodule.sliceRange.lastK) / 2);
      const slice = Uint8Array.from(mask.subarray(k * plane, (k + 1) * plane), (label) =>
        label === nodule.label ? 1 : 0,
      );
      await call(app.page, 'POST', `/api/series/${uid}/findings`, {
        slice: storeK(k),
        maskBase64: Buffer.from(slice).toString('base64'),
      });
      counts.added++;
    }
    await call(app.page, 'POST', `/api/series/${uid}/status`, { status: 'done' });
  }
  return counts;
}
