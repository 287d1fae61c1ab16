// End to end, in a real browser against `overread serve`: the brush's intensity range (G). With it on, a
// stroke straight through a finding, wider than the nodule, adds to its mask only the pixels whose HU lies in
// the toolbar's range (−700 … 3000 HU first) — every one of them along the stroke's core, and none of the
// aerated lung it crosses — as the API's mask and slice values show; the banner says the range is on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutChromium } from './chromium.ts';
import { openReviewedSeries } from './reviewed-app.ts';

test(
  'with the range on (G), a brush stroke across a nodule paints only the pixels within the range',
  { skip: withoutChromium, timeout: 120_000 },
  async (t) => {
    const { page, app, pageErrors, uid, series } = await openReviewedSeries(t);
    const finding = await app.selectPendingFinding(uid);
    const k = finding.focusSlice;

    const toScreen = await app.imageToFrame();

    await app.press('b');
    await app.press('g');
    await page.waitForFunction(() =>
      /only where −700 … 3000 HU \(G\)/.test(document.getElementById('tool-banner')?.textContent ?? ''),
    );
    for (let i = 0; i < 4; i++) await app.press(']');
    const radius = Number(/r (\d+) px/.exec(await app.text('#radius-readout'))![1]);

    const maskOf = () => app.apiBytes(`/api/findings/${finding.id}/mask/${k}`);
    const before = await maskOf();
    const [column, row] = finding.focusPoint;
    const reach = Math.ceil(finding.diameterMm / series.pixelSpacingMm[1]) + 2 * radius;
    const [from, to] = [column - reach, column + reach].map((c) => toScreen(c, row));
    const saved = await app.dragAndWait(from!, to!, 'PUT', /\/mask\/\d+$/);
    assert.equal(saved.status(), 200, await saved.text());
    const after = await maskOf();
    const values = await app.sliceValues(uid, k);

    const inRange = (i: number) => values[i]! >= -700 && values[i]! <= 3000;
    const added: number[] = [];
    for (let i = 0; i < after.length; i++) if (after[i] && !before[i]) added.push(i);
    assert.ok(added.length >= 5, `the stroke added ${added.length} pixels`);
    for (const i of added) assert.ok(inRange(i), `pixel ${i} at ${values[i]} HU was painted`);
    // The stroke's core (well inside the brush, away from its ends): in range painted, out of range not.
    let lung = 0;
    for (let c = column - reach + radius; c <= column + reach - radius; c++) {
      for (let r = row - 1; r <= row + 1; r++) {
        const i = r * series.columns + c;
        if (inRange(i)) assert.equal(after[i], 1, `${c}, ${r} (${values[i]} HU) left out`);
        else {
          assert.equal(after[i], before[i], `${c}, ${r} (${values[i]} HU) changed`);
          lung++;
        }
      }
    }
    assert.ok(lung > 0, 'the stroke crossed no pixel outside the range: the test proves nothing');
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
