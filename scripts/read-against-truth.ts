// For the README's Model page screenshot: reads every series of a generated dataset as a careful reader would,
// with the generator's truth (`truth.json` and its label mask beside each study) for eyes — each model flag
// confirmed where it lies on a nodule (its most probable voxel, where the viewer opens it, inside the nodule's
// label, or its centre within max(radius, 5 mm) of the nodule's, the held-out evaluation's rule) and rejected
// elsewhere, each nodule of 4 mm or more that no flag found added on its middle slice, and the series marked
// done — all through the app's API from the page, as the viewer does it.
// So the Model page's figures are the model's on those studies, not made up.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { FindingInfo, SeriesInfo } from '../src/shared/api-types.ts';
import type { SampleTruth } from '../src/sample/index.ts';
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

/** Returns how many flags were confirmed and rejected and nodules added. */
export async function readAgainstTruth(
  app: OverreadApp,
  samples: string,
): Promise<{ confirmed: number; rejected: number; added: number }> {
  const counts = { confirmed: 0, rejected: 0, added: 0 };
  for (const { folder, truth } of truths(samples)) {
    const uid = encodeURIComponent(truth.seriesInstanceUid);
    const info = await app.apiJson<SeriesInfo>(`/api/series/${uid}`);
    const findings = await app.apiJson<FindingInfo[]>(`/api/series/${uid}/findings`);
    const mask = gunzipSync(readFileSync(join(folder, truth.mask.file)));
    const [columns, rows] = truth.geometry.size;
    const plane = columns * rows;
    // The store's slice order runs along the series' own stacking direction; the truth's ascends in z.
    const storeK = (k: number) =>
      Math.round(
        (truth.slices[k]!.z - info.geometry.origin[2]) /
          (info.geometry.spacing[2] * info.geometry.direction[2][2]),
      );
    const truthK = new Map(truth.slices.map(({ k }) => [storeK(k), k]));
    const found = new Set<number>();
    for (const finding of findings) {
      if (finding.source !== 'model' || finding.decision) continue;
      const k = truthK.get(finding.focusSlice);
      const [i, j] = finding.focusPoint;
      const under = k === undefined ? 0 : mask[k * plane + j * columns + i];
      const hit = truth.nodules.find(
        (n) =>
          n.label === under ||
          Math.hypot(...n.centre.map((v, axis) => v - finding.centerMm[axis]!)) <=
            Math.max(n.diameterMm / 2, 5),
      );
      if (hit) found.add(hit.id);
      await call(
        app.page,
        'POST',
        `/api/findings/${finding.id}/decision`,
        hit
          ? { kind: 'confirmed' }
          : { kind: 'rejected', reason: 'other', note: "no nodule there in the generator's truth" },
      );
      counts[hit ? 'confirmed' : 'rejected']++;
    }
    for (const nodule of truth.nodules) {
      if (found.has(nodule.id) || nodule.diameterMm < 4) continue;
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
