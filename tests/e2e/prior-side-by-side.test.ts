// End to end, in a real browser against `overread serve`: the prior scan side by side (S). The worklist marks the
// follow-up with its prior's date. On the follow-up scan
// of a patient whose earlier scan is in the dataset, S shows the prior beside the stack at the slice holding the
// same anatomy — the current slice's position moved by the registration's shift, nearest prior slice — and
// keeps it there while the reader scrolls, outlining the prior's nodules as they are now (a mask corrected
// since shows corrected); V swaps it for the planes; it comes back when the follow-up is
// opened again; the baseline, which has no earlier study, says so instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FindingInfo, FollowUp, SeriesInfo } from '../../src/shared/api-types.ts';
import { STATE_COLOURS } from '../../renderer/layer-pixels.ts';
import { findColour } from './canvas-pixels.ts';
import { formatDicomDate } from '../../src/shared/dicom-date.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { followUpDataset } from './follow-up-dataset.ts';
import { openAppOn } from './reviewed-app.ts';

test(
  'S shows the prior scan beside the follow-up at the same anatomy, scrolling with it',
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    const data = await followUpDataset();
    const { page, app, pageErrors } = await openAppOn(t, data.db);
    await app.showAllStatuses();
    const info = (uid: string) => app.apiJson<SeriesInfo>(`/api/series/${encodeURIComponent(uid)}`);
    const [current, prior] = await Promise.all([
      info(data.follow.seriesInstanceUid),
      info(data.baseline.seriesInstanceUid),
    ]);
    // The worklist marks the follow-up with its prior's date; the baseline has none.
    const row = (date: string) => page.locator('#worklist-body tr', { hasText: formatDicomDate(date) });
    assert.match(
      (await row(current.studyDate).locator('.prior-badge').getAttribute('aria-label'))!,
      new RegExp(`^follow-up: prior study ${formatDicomDate(prior.studyDate)} in the dataset`),
    );
    assert.equal(await row(prior.studyDate).locator('.prior-badge').count(), 0);
    const openFollowUp = async () => {
      await page.locator('#worklist-body tr', { hasText: formatDicomDate(current.studyDate) }).dblclick();
      assert.equal(await app.openSeriesUid(), current.seriesUid);
    };
    await openFollowUp();
    const comparison = await app.apiJson<FollowUp>(
      `/api/series/${encodeURIComponent(current.seriesUid)}/follow-up?prior=${encodeURIComponent(prior.seriesUid)}`,
    );
    const shiftZ = comparison.registration.translationMm[2];
    /** The prior slice nearest the current slice k's position moved by the shift (both stacked along +z). */
    const expected = (k: number) => {
      const z = current.slicePositionsMm[k]! + shiftZ;
      let best = 0;
      prior.slicePositionsMm.forEach((p, j) => {
        if (Math.abs(p - z) < Math.abs(prior.slicePositionsMm[best]! - z)) best = j;
      });
      return best;
    };
    const shownSlice = async () =>
      Number(/^Slice (\d+) \//m.exec(await app.text('#corner-bottom-left'))![1]) - 1;
    const priorShows = async (k: number) => {
      await page.waitForFunction(
        (want) => document.getElementById('prior-pane')?.dataset['slice'] === String(want),
        k,
        { timeout: 30_000 },
      );
      const label = await app.text('#prior-label');
      assert.ok(
        label.startsWith(
          `Prior ${formatDicomDate(prior.studyDate)} (${data.follow.followUp!.days} days earlier)\nSlice ${k + 1} / ${prior.slices}`,
        ),
        label,
      );
    };

    const start = await shownSlice();
    await app.press('s');
    await priorShows(expected(start));
    assert.equal(await page.locator('#prior-pane').getAttribute('data-series-uid'), prior.seriesUid);
    assert.equal(await page.locator('#prior-button').getAttribute('aria-pressed'), 'true');
    for (let i = 0; i < 6; i++) await app.press('ArrowDown');
    const k = start + 6;
    await app.waitForSlice(k + 1);
    await priorShows(expected(k));
    // The wheel over the prior scrolls the follow-up too.
    const pane = (await page.locator('#prior-pane').boundingBox())!;
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await page.mouse.wheel(0, 100);
    await app.waitForSlice(k + 2);
    await priorShows(expected(k + 1));
    // Under the pointer, the prior's own value: the API's voxel of the prior slice it names.
    await page.mouse.move(pane.x + pane.width * 0.45, pane.y + pane.height * 0.55);
    await page.waitForFunction(() => /^HU /.test(document.getElementById('prior-probe')?.textContent ?? ''));
    const probe = /^HU (-?[\d.]+) at (\d+), (\d+) · slice (\d+)$/.exec(await app.text('#prior-probe'));
    assert.ok(probe, await app.text('#prior-probe'));
    const [value, column, imageRow, slice] = probe.slice(1).map(Number) as [number, number, number, number];
    assert.equal(slice - 1, expected(k + 1));
    const voxels = await app.sliceValues(prior.seriesUid, slice - 1);
    assert.equal(value, voxels[imageRow * prior.columns + column], `prior probe ${probe[0]}`);

    // Selecting the grown nodule takes both scans there; the prior shows its earlier self, outlined.
    const grown = comparison.changes.find((c) => c.change === 'grown')!;
    const findings = await app.apiJson<FindingInfo[]>(
      `/api/series/${encodeURIComponent(current.seriesUid)}/findings`,
    );
    const index = findings.findIndex((f) => String(f.id) === grown.current);
    const { focusSlice, sliceRange } = findings[index]!;
    await app.selectFinding(index);
    await app.waitForSlice(focusSlice + 1);
    // Its middle slice (the focus may be an edge, beyond the smaller nodule the prior holds).
    const middle = Math.round((sliceRange[0] + sliceRange[1]) / 2);
    for (let i = focusSlice; i < middle; i++) await app.press('ArrowDown');
    for (let i = focusSlice; i > middle; i--) await app.press('ArrowUp');
    await app.waitForSlice(middle + 1);
    await priorShows(expected(middle));
    const deadline = Date.now() + 15_000;
    let outlined = 0;
    while (Date.now() < deadline) {
      outlined = findColour(await page.locator('#prior-pane').screenshot(), STATE_COLOURS.pending).count;
      if (outlined >= 20) break;
      await page.waitForTimeout(200);
    }
    assert.ok(outlined >= 20, `the prior's nodule is not outlined (${outlined} px)`);
    const drawn = outlined;
    await page.screenshot({ path: join(ARTIFACTS, 'prior-side-by-side.png') });

    // The reader corrects the prior's mask elsewhere (↗ to the prior, or another window: here through the API,
    // erasing that nodule on the slice shown). The next time the pane shows, it draws the mask as it is now.
    const erased = await page.evaluate(
      async ({ id, k, bytes }) =>
        (
          await fetch(`/api/findings/${id}/mask/${k}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream' },
            body: new Uint8Array(bytes),
          })
        ).status,
      { id: grown.prior!, k: expected(middle), bytes: prior.rows * prior.columns },
    );
    assert.equal(erased, 200);
    await app.press('s');
    await page.waitForFunction(() => document.getElementById('prior-pane')?.hidden === true);
    await app.press('s');
    await priorShows(expected(middle));
    // Counted in either colour: the correction also makes it the reader's own (green), whatever is drawn.
    const painted = (shot: Buffer) =>
      findColour(shot, STATE_COLOURS.pending).count + findColour(shot, STATE_COLOURS.confirmed).count;
    const gone = Date.now() + 15_000;
    while (Date.now() < gone) {
      outlined = painted(await page.locator('#prior-pane').screenshot());
      if (outlined <= drawn - 20) break;
      await page.waitForTimeout(200);
    }
    assert.ok(
      outlined <= drawn - 20,
      `the prior's erased nodule is still drawn (${outlined} of ${drawn} px)`,
    );

    // V swaps it for the planes, S back.
    await app.press('v');
    await page.locator('#plane-panes').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#prior-pane').isHidden(), true);
    await app.press('s');
    await page.locator('#prior-pane').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#plane-panes').isHidden(), true);

    // It follows the reader: back to the worklist and into the follow-up again, it is there.
    await app.press('Escape');
    await page.getByRole('table', { name: 'Series to read' }).waitFor();
    await openFollowUp();
    await priorShows(expected(await shownSlice()));

    // The baseline has no earlier study: S says so, and nothing is shown.
    await app.press('Escape');
    await page.locator('#worklist-body tr', { hasText: formatDicomDate(prior.studyDate) }).dblclick();
    assert.equal(await app.openSeriesUid(), prior.seriesUid);
    await page.waitForFunction(() => document.getElementById('prior-pane')?.hidden === true);
    await app.press('s');
    await page
      .locator('.toast', { hasText: 'No prior side by side: this patient has no earlier study' })
      .waitFor();
    assert.equal(await page.locator('#prior-pane').isHidden(), true);
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
