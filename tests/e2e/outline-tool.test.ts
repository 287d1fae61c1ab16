// End to end, in a real browser against `overread serve`: the outline tool (O). A click on a nodule the
// model already flagged is refused in a toast naming that finding; once the reader has rejected the flag, the
// same click outlines the nodule in 3-D — a new finding of the reader's, selected, over several slices, its
// mask covering the clicked pixel (as the API holds it), a toast saying its size and slices — and Ctrl+Z takes
// it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingInfo } from '../../src/shared/api-types.ts';
import { withoutChromium } from './chromium.ts';
import { openReviewedSeries } from './reviewed-app.ts';

test(
  'O then a click inside a nodule outlines it in 3-D as a new finding; one already flagged is refused',
  { skip: withoutChromium, timeout: 120_000 },
  async (t) => {
    const { page, app, pageErrors, uid, series } = await openReviewedSeries(t);
    const flagged = await app.selectPendingFinding(uid);
    const [column, row] = flagged.focusPoint;
    const at = (await app.imageToFrame())(column, row);
    const outlineUrl = /\/findings\/outline$/;

    await app.press('o');
    await page.waitForFunction(() =>
      /Outline: click inside a missed nodule .* −700 … 3000 HU/.test(
        document.getElementById('tool-banner')?.textContent ?? '',
      ),
    );
    const refused = await app.clickAndWait(at, 'POST', outlineUrl);
    assert.equal(refused.status(), 409);
    await page.waitForFunction(
      (id) =>
        [...document.querySelectorAll('.toast.error')].some((t) =>
          t.textContent?.includes(`finding ${id} already marks this nodule`),
        ),
      flagged.id,
    );

    // The reader rejects the model's flag (N, 1: vessel) and outlines the nodule as their own.
    await app.press('Escape');
    await app.selectPendingFinding(uid);
    await app.press('n');
    const rejected = await app.pressAndWait('1', 'POST', /\/decision$/);
    assert.equal(rejected.status(), 200);
    // The review moves on to the next flag; back to the rejected one's slice.
    const listed = await app.apiJson<FindingInfo[]>(`/api/series/${encodeURIComponent(uid)}/findings`);
    await app.selectFinding(listed.findIndex((f) => f.id === flagged.id));
    await app.waitForSlice(flagged.focusSlice + 1);
    await app.press('o');
    const added = await app.clickAndWait(at, 'POST', outlineUrl);
    const body = await added.text();
    assert.equal(added.status(), 201, body);
    const { finding } = JSON.parse(body) as { finding: FindingInfo };
    assert.equal(finding.source, 'reader');
    assert.ok(finding.sliceRange[1] > finding.sliceRange[0], `slices ${finding.sliceRange}`);
    await page.waitForFunction(
      (id) =>
        [...document.querySelectorAll('.toast')].some((t) =>
          new RegExp(`^Outlined finding ${id}: \\d+\\.\\d mm, slices \\d+–\\d+`).test(t.textContent ?? ''),
        ),
      finding.id,
    );
    const mask = await app.apiBytes(`/api/findings/${finding.id}/mask/${flagged.focusSlice}`);
    assert.equal(mask[row * series.columns + column], 1, 'the clicked pixel is in the outline');
    // Selected in the list, as the reader's addition.
    await page.waitForFunction(() =>
      /Added$/.test(
        document.querySelector('#findings-list [aria-pressed="true"]')?.getAttribute('aria-label') ?? '',
      ),
    );

    await app.press('Escape');
    const undo = await app.pressAndWait('Control+z', 'POST', /\/undo$/);
    assert.equal(undo.status(), 200);
    const after = await app.apiJson<FindingInfo[]>(`/api/series/${encodeURIComponent(uid)}/findings`);
    assert.ok(!after.some((f) => f.id === finding.id), 'Ctrl+Z took the outline back');
    assert.deepEqual(pageErrors, []);
  },
);
