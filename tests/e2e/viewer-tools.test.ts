// End to end, in a real browser against `overread serve` over a dataset of two generated studies: the viewer's
// reading aids read the right numbers. The value under the pointer is the API's modality value of that pixel;
// the thick-slab MIP (T) covers the slices within half its thickness and shows, pixel for pixel, their maximum
// (checked under the pointer where it differs most from the single slice); the ruler (M) gives the dragged
// length from the pixel spacing, and Delete clears it; under the slab a finding's flag shows on the slab's
// slices past its range; choosing a painting tool turns the slab off; a finding
// painted on two slices four apart is filled between them by F. Expected values come from the API's decoded
// slices, computed here, not from the renderer's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MEASURE_COLOUR } from '../../renderer/measurement.ts';
import { STATE_COLOURS } from '../../renderer/layer-pixels.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { openReviewedApp } from './reviewed-app.ts';
import type { SeriesInfo } from '../../src/shared/api-types.ts';

/** The corner's "HU v at c, r" line, or null. */
function probe(text: string): { value: number; column: number; row: number } | null {
  const match = /HU (-?[\d.]+) at (\d+), (\d+)/.exec(text);
  return match ? { value: Number(match[1]), column: Number(match[2]), row: Number(match[3]) } : null;
}

test(
  'the value under the pointer, the thick-slab MIP and the ruler read the API’s pixels and spacing; F fills between slices',
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    const { page, app, pageErrors } = await openReviewedApp(t);
    await app.showAllStatuses();
    await app.openSelectedSeries();
    const corner = (where: string) => app.text(`#corner-${where}`);

    // Which series and slice are on screen, from the corners and the API.
    const uid = await app.openSeriesUid();
    const series = await app.apiJson<SeriesInfo>(`/api/series/${encodeURIComponent(uid)}`);
    const k = Number(/Slice (\d+) \//.exec(await corner('bottom-left'))![1]) - 1;

    // The slab a 10 mm MIP centred on k covers, and its maximum, from the API's slices.
    const centre = series.slicePositionsMm[k]!;
    const inSlab = series.slicePositionsMm
      .map((position, j) => (Math.abs(position - centre) <= 5 + 1e-3 ? j : -1))
      .filter((j) => j >= 0);
    assert.ok(inSlab.length >= 3, `a 10 mm slab covers ${inSlab.length} slices of this series`);
    const slices = await Promise.all(inSlab.map((j) => app.sliceValues(uid, j)));
    const single = slices[inSlab.indexOf(k)]!;
    const mip = single.map((_, i) => Math.max(...slices.map((s) => s[i]!)));
    // The pixel where the slab differs most from the slice, over its 3 × 3 neighbourhood, so a pointer a pixel
    // off still lands where the two differ.
    const { rows, columns } = series;
    /** The pixel whose 3 × 3 neighbourhood scores highest at its lowest. */
    const widest = (score: (i: number) => number) => {
      let found = { gain: -Infinity, column: 0, row: 0 };
      for (let r = 1; r < rows - 1; r++) {
        for (let c = 1; c < columns - 1; c++) {
          let gain = Infinity;
          for (let dr = -1; dr <= 1; dr++)
            for (let dc = -1; dc <= 1; dc++) gain = Math.min(gain, score((r + dr) * columns + c + dc));
          if (gain > found.gain) found = { gain, column: c, row: r };
        }
      }
      return found;
    };
    const best = widest((i) => mip[i]! - single[i]!);
    assert.ok(best.gain > 50, `the slab adds only ${best.gain} HU anywhere`);

    // Image pixel → screen: cornerstone fits the image to the viewport, centred, at the corner's zoom.
    const box = (await app.viewportFrame().boundingBox())!;
    const zoom = Number(/Zoom ([\d.]+)×/.exec(await corner('bottom-right'))![1]);
    const screenOf = (column: number, row: number) => ({
      x: box.x + box.width / 2 + (column + 0.5 - columns / 2) * zoom,
      y: box.y + box.height / 2 + (row + 0.5 - rows / 2) * zoom,
    });

    // The value under the pointer on the single slice.
    const at = screenOf(best.column, best.row);
    await page.mouse.move(at.x, at.y);
    const onSlice = probe(await corner('bottom-left'));
    assert.ok(onSlice, `no value under the pointer: ${await corner('bottom-left')}`);
    assert.ok(
      Math.abs(onSlice.column - best.column) <= 1 && Math.abs(onSlice.row - best.row) <= 1,
      `pointer at ${best.column}, ${best.row} reads pixel ${onSlice.column}, ${onSlice.row}`,
    );
    assert.equal(onSlice.value, single[onSlice.row * columns + onSlice.column]);

    // T: a 10 mm MIP over exactly the slab's slices, and under the pointer their maximum.
    await app.viewportScreenshot(join(ARTIFACTS, 'viewer-tools-slice.png'));
    await page.locator('body').press('t');
    await page.waitForFunction(() =>
      /MIP 10 mm/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    assert.match(
      await corner('bottom-left'),
      new RegExp(`MIP 10 mm · slices ${inSlab[0]! + 1}–${inSlab[inSlab.length - 1]! + 1}`),
    );
    assert.equal(await page.getByLabel('Thick slab').inputValue(), '10');
    await page.mouse.move(at.x + 1, at.y);
    await page.mouse.move(at.x, at.y);
    const onSlab = probe(await corner('bottom-left'));
    assert.ok(onSlab, `no value under the pointer on the slab: ${await corner('bottom-left')}`);
    const i = onSlab.row * columns + onSlab.column;
    assert.equal(onSlab.value, mip[i]);
    assert.ok(onSlab.value > single[i]!, 'the slab shows the single slice’s value');
    await app.viewportScreenshot(join(ARTIFACTS, 'viewer-tools-mip.png'));
    // Two slices on, one at a time: the viewer builds each slab from the one before (slabMaximum). Probed where
    // the maximum changed most from the slab before — where a slice left or joined — it is still exactly the
    // maximum of the new slab's slices as the API serves them.
    let before = mip;
    for (const next of [k + 1, k + 2]) {
      await app.press('ArrowDown');
      await app.waitForSlice(next + 1);
      const around = series.slicePositionsMm[next]!;
      const slab = series.slicePositionsMm
        .map((position, j) => (Math.abs(position - around) <= 5 + 1e-3 ? j : -1))
        .filter((j) => j >= 0);
      const values = await Promise.all(slab.map((j) => app.sliceValues(uid, j)));
      const after = values[0]!.map((_, p) => Math.max(...values.map((v) => v[p]!)));
      const changed = widest((p) => Math.abs(after[p]! - before[p]!));
      assert.ok(changed.gain > 20, `the slab around slice ${next + 1} barely changed (${changed.gain} HU)`);
      const point = screenOf(changed.column, changed.row);
      await page.mouse.move(point.x + 1, point.y);
      await page.mouse.move(point.x, point.y);
      const moved = probe(await corner('bottom-left'));
      assert.ok(moved, `no value under the pointer on slice ${next + 1}'s slab`);
      assert.equal(moved.value, after[moved.row * columns + moved.column], `slab around slice ${next + 1}`);
      before = after;
    }
    await page.mouse.move(at.x, at.y);
    // Under the slab a finding's flag shows on a slice just past its range (the MIP shows the nodule there too);
    // with the slab off it is gone from that slice.
    const listed = await app.findings();
    const flagIndex = listed.findIndex((f) => f.decision === 'Pending' || f.decision.startsWith('Confirmed'));
    assert.ok(flagIndex >= 0, `no pending or confirmed finding: ${JSON.stringify(listed)}`);
    const colour =
      listed[flagIndex]!.decision === 'Pending' ? STATE_COLOURS.pending : STATE_COLOURS.confirmed;
    const lastSlice = Number(/slices \d+–(\d+)/.exec(listed[flagIndex]!.detail)![1]);
    assert.ok(lastSlice < series.slices, 'the finding reaches the last slice');
    await app.selectFinding(flagIndex);
    const focus = Number(/Slice (\d+) \//.exec(await corner('bottom-left'))![1]);
    for (let i = focus; i <= lastSlice; i++) await app.press('ArrowDown');
    await app.waitForSlice(lastSlice + 1);
    const past = await app.waitForColour(colour, 10);
    assert.ok(past.count >= 10, `no flag drawn one slice past the finding under the slab (${past.count} px)`);
    await app.press('t');
    assert.equal(await app.waitForColourGone(colour), 0, 'the flag stays past its range without the slab');
    await app.press('t');
    await page.waitForFunction(() =>
      /MIP 10 mm/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );

    // M: a horizontal drag of 120 screen pixels measures 120 / zoom pixels × the column spacing.
    await page.locator('body').press('m');
    assert.equal(
      await page.getByRole('button', { name: 'Ruler', exact: true }).getAttribute('aria-pressed'),
      'true',
    );
    const from = { x: box.width / 2 - 60, y: box.height / 2 + 40 };
    await app.dragOnImage(from, { x: from.x + 120, y: from.y });
    const length = Number(/Length ([\d.]+) mm/.exec(await corner('bottom-right'))?.[1]);
    const expected = (120 / zoom) * series.pixelSpacingMm[1];
    assert.ok(
      Math.abs(length - expected) <= series.pixelSpacingMm[1] + 0.1,
      `ruler says ${length} mm for ${expected.toFixed(2)} mm`,
    );
    const drawn = await app.waitForColour(MEASURE_COLOUR, 20);
    assert.ok(drawn.count >= 20, `ruler line not drawn (${drawn.count} yellow pixels)`);
    await app.viewportScreenshot(join(ARTIFACTS, 'viewer-tools-ruler.png'));
    await page.locator('body').press('Delete');
    assert.doesNotMatch(await corner('bottom-right'), /Length/);
    assert.equal(await app.waitForColourGone(MEASURE_COLOUR), 0, 'the ruler line stays after Delete');

    // Escape leaves the ruler; A (add a finding) needs single slices, so the slab goes off.
    await page.locator('body').press('Escape');
    await page.locator('body').press('a');
    await page.waitForFunction(
      () => !/MIP/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    assert.equal(await page.getByLabel('Thick slab').inputValue(), '0');

    // Fill between slices: add a finding on this slice, paint it 4 slices further down (B), then F fills the 3
    // between — the list shows the 5-slice range and the API holds a mask on the middle slice.
    const at0 = Number(/Slice (\d+) \//.exec(await corner('bottom-left'))![1]) - 1;
    const spot = { x: box.width / 2 - 10, y: box.height / 2 - 10 };
    const stroke = { x: spot.x + 14, y: spot.y + 8 };
    const addResponse = await app.dragAndWait(spot, stroke, 'POST', /\/findings$/);
    assert.ok(addResponse.ok(), `adding answered ${addResponse.status()}`);
    const addedId = ((await addResponse.json()) as { id: number }).id;
    for (let i = 0; i < 4; i++) await app.press('ArrowDown');
    await app.waitForSlice(at0 + 5);
    await app.press('b');
    const painted = await app.dragAndWait(spot, stroke, 'PUT', /\/mask\/\d+$/);
    assert.ok(painted.ok(), `painting answered ${painted.status()}`);
    await app.press('Escape');
    const fill = await app.pressAndWait('f', 'POST', /\/fill-slices$/);
    assert.equal(fill.status(), 200, await fill.text());
    assert.deepEqual(((await fill.json()) as { filled: number[] }).filled, [at0 + 1, at0 + 2, at0 + 3]);
    await page.waitForFunction(
      (range) =>
        Array.from(document.querySelectorAll('#findings-list li'), (li) => li.textContent ?? '').some(
          (text) => text.includes(range),
        ),
      `slices ${at0 + 1}–${at0 + 5}`,
    );
    const middle = await app.apiBytes(`/api/findings/${addedId}/mask/${at0 + 2}`);
    assert.ok(middle.filter((v) => v === 1).length > 20, 'the middle slice was not filled');
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
