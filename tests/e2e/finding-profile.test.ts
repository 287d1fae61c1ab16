// End to end, in a real browser against `overread serve`: the findings panel's line for the selected finding —
// axial long × short axis on the slice where it is largest, mean and spread of its HU, share at soft-tissue
// density — is what the API's own masks and decoded slices give for that finding (the measuring itself is
// unit-tested in tests/renderer/finding-profile.test.ts; this checks the page feeds it the right voxels), and
// follows an erasure on its largest slice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingProfile } from '../../src/shared/finding-profile.ts';
import { formatProfile } from '../../renderer/profile-text.ts';
import { withoutChromium } from './chromium.ts';
import { openReviewedSeries } from './reviewed-app.ts';
import type { FindingInfo } from '../../src/shared/api-types.ts';

test(
  'the selected finding’s axes and density are those of the API’s mask and voxels, and follow an edit',
  { skip: withoutChromium, timeout: 120_000 },
  async (t) => {
    const { page, app, pageErrors, uid, series } = await openReviewedSeries(t);
    const expected = async () => {
      const findings = await app.apiJson<FindingInfo[]>(`/api/series/${encodeURIComponent(uid)}/findings`);
      const index = (await app.findings()).findIndex((f) => f.selected);
      const finding = findings[index]!;
      const masks = new Map<number, Uint8Array>();
      const values = new Map<number, { data: number[]; slope: number; intercept: number }>();
      for (let k = finding.sliceRange[0]; k <= finding.sliceRange[1]; k++) {
        masks.set(k, Uint8Array.from(await app.apiBytes(`/api/findings/${finding.id}/mask/${k}`)));
        values.set(k, { data: await app.sliceValues(uid, k), slope: 1, intercept: 0 });
      }
      const profile = findingProfile(masks, (k) => values.get(k), series)!;
      return { finding, masks, profile, text: formatProfile(profile, series.modality) };
    };
    const shown = async (text: string) => {
      await page.waitForFunction(
        (want) =>
          Array.from(
            document.querySelectorAll('#findings-list li.selected .finding-profile'),
            (n) => n.textContent,
          ).includes(want),
        text,
        { timeout: 15_000 },
      );
    };

    const before = await expected();
    assert.ok(before.profile.voxels > 10, `the selected finding has ${before.profile.voxels} voxels`);
    assert.match(
      before.text,
      /^axial \d+\.\d × \d+\.\d mm on slice \d+ · mean −?\d+ HU ± \d+ · \d+% ≥ −300 HU$/,
    );
    await shown(before.text);

    // Erase the left half of the finding on its largest slice: the line follows the reader's mask.
    const k = before.profile.axes.slice;
    const mask = before.masks.get(k)!;
    const edited = mask.slice();
    let leftmost = series.columns;
    let rightmost = -1;
    for (let i = 0; i < mask.length; i++)
      if (mask[i]) {
        leftmost = Math.min(leftmost, i % series.columns);
        rightmost = Math.max(rightmost, i % series.columns);
      }
    const cut = Math.floor((leftmost + rightmost) / 2);
    for (let i = 0; i < edited.length; i++) if (i % series.columns <= cut) edited[i] = 0;
    const put = await page.evaluate(
      async ({ id, k, bytes }) =>
        (await fetch(`/api/findings/${id}/mask/${k}`, { method: 'PUT', body: new Uint8Array(bytes) })).status,
      { id: before.finding.id, k, bytes: Array.from(edited) },
    );
    assert.equal(put, 200);
    // The viewer reloads its findings after an edit made elsewhere when the series is opened again.
    await app.press('Escape');
    await app.openSelectedSeries();
    const after = await expected();
    assert.ok(after.profile.voxels < before.profile.voxels, 'the erasure removed no voxel');
    assert.notEqual(after.text, before.text);
    await shown(after.text);
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
