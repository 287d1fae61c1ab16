// End to end, in a real browser against `overread serve`: painting a finding's mask on the coronal and
// sagittal planes. With the brush on, a vertical drag on the coronal plane paints image row `r` of every slice
// it crosses (the API's masks say so, slice by slice, at the column under the pointer); Ctrl+Z takes the whole
// stroke back in one step. With the eraser on, a drag across the finding on the sagittal plane clears its
// voxels in that image column on the slice under the pointer. The probe under the pointer names the voxel
// (column, row, slice), which is how the test knows where it painted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FindingInfo } from '../../src/shared/api-types.ts';
import { STATE_COLOURS } from '../../renderer/layer-pixels.ts';
import { findColour } from './canvas-pixels.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { openReviewedSeries } from './reviewed-app.ts';

function planeProbe(text: string): { column: number; row: number; k: number } | null {
  const match = /at (\d+), (\d+) · slice (\d+)/.exec(text);
  return match ? { column: Number(match[1]), row: Number(match[2]), k: Number(match[3]) - 1 } : null;
}

test(
  'the brush and eraser paint the selected finding on the planes, stored as one undoable stroke',
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    const { page, app, pageErrors, uid, series } = await openReviewedSeries(t);
    const finding = await app.selectPendingFinding(uid);
    await app.press('v');
    await page.waitForFunction(() =>
      /^Coronal · row \d+ \/ \d+$/.test(document.querySelector('#plane-row .plane-label')?.textContent ?? ''),
    );
    const mask = (k: number) => app.apiBytes(`/api/findings/${finding.id}/mask/${k}`);
    const probeAt = async (axis: 'row' | 'column', x: number, y: number) => {
      await page.mouse.move(x, y);
      const text = await app.text(`#plane-${axis} .plane-probe`);
      const probe = planeProbe(text);
      assert.ok(probe, `no voxel under the pointer on the ${axis} plane: "${text}"`);
      return probe;
    };
    const drag = async (
      axis: 'row' | 'column',
      from: { x: number; y: number },
      to: { x: number; y: number },
    ) => {
      // Both answers are awaited from before the drag: the list reloads as soon as the save is answered.
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PUT' && /\/plane-mask$/.test(r.url())),
        page.waitForResponse((r) => r.request().method() === 'GET' && /\/findings$/.test(r.url())),
        (async () => {
          await page.mouse.move(from.x, from.y);
          await page.mouse.down();
          await page.mouse.move(to.x, to.y, { steps: 10 });
          await page.mouse.up();
        })(),
      ]);
      assert.equal(response.status(), 200, `${axis} plane stroke: ${await response.text()}`);
    };

    // The planes draw the finding once every slice of its mask is at hand, which a stroke needs too.
    for (const axis of ['row', 'column'] as const) {
      const deadline = Date.now() + 20_000;
      let count = 0;
      while (Date.now() < deadline) {
        count = findColour(await page.locator(`#plane-${axis}`).screenshot(), STATE_COLOURS.pending).count;
        if (count >= 8) break;
        await page.waitForTimeout(200);
      }
      assert.ok(count >= 8, `the finding is not drawn on the ${axis} plane (${count} px)`);
    }

    // The brush: a vertical stroke on the coronal plane, a quarter of the way across, away from the finding.
    await app.press('b');
    const coronal = (await page.locator('#plane-row .plane-viewport').boundingBox())!;
    const x = coronal.x + coronal.width * 0.25;
    const mid = coronal.y + coronal.height / 2;
    const top = await probeAt('row', x, mid - 10);
    const bottom = await probeAt('row', x, mid + 10);
    assert.equal(top.row, finding.focusPoint[1], 'the coronal plane is not through the finding');
    assert.equal(top.column, bottom.column);
    const [low, high] = [Math.min(top.k, bottom.k), Math.max(top.k, bottom.k)];
    assert.ok(high - low >= 2, `the stroke crosses only slices ${low}–${high}`);
    const at = top.row * series.columns + top.column;
    const before = new Map<number, number[]>();
    for (let k = low; k <= high; k++) before.set(k, await mask(k));
    assert.ok(
      [...before.values()].every((m) => m[at] === 0),
      'already painted there',
    );
    await drag('row', { x, y: mid - 10 }, { x, y: mid + 10 });
    for (let k = low; k <= high; k++) assert.equal((await mask(k))[at], 1, `slice ${k + 1} not painted`);
    const widened = await app.apiJson<FindingInfo[]>(`/api/series/${encodeURIComponent(uid)}/findings`);
    const range = widened.find((f) => f.id === finding.id)!.sliceRange;
    assert.ok(range[0] <= low && range[1] >= high, `range ${range} does not cover ${low}–${high}`);
    await page.screenshot({ path: join(ARTIFACTS, 'plane-paint.png') });

    // One Ctrl+Z takes every slice of the stroke back.
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'GET' && /\/findings$/.test(r.url())),
      app.pressAndWait('Control+z', 'POST', /\/undo$/),
    ]);
    for (let k = low; k <= high; k++)
      assert.deepEqual(await mask(k), before.get(k), `slice ${k + 1} after undo`);

    // The eraser: a horizontal stroke across the finding on the sagittal plane, through its focus slice.
    await app.press('e');
    const sagittal = (await page.locator('#plane-column .plane-viewport').boundingBox())!;
    // Find the plane height of the focus slice, then the finding's centre row along the plane.
    let y = sagittal.y + sagittal.height / 2;
    for (let step = 0; step < 200; step++) {
      const probe = await probeAt('column', sagittal.x + sagittal.width / 2, y);
      if (probe.k === finding.focusSlice) break;
      // The head is at the top: a higher slice position lies higher; step towards the focus slice.
      const dz = series.slicePositionsMm[finding.focusSlice]! - series.slicePositionsMm[probe.k]!;
      y += dz * series.geometry.direction[2][2] > 0 ? -1 : 1;
    }
    const centre = await probeAt('column', sagittal.x + sagittal.width / 2, y);
    assert.equal(centre.k, finding.focusSlice, 'could not find the focus slice on the sagittal plane');
    const column = finding.focusPoint[0];
    const focus = await mask(finding.focusSlice);
    const inColumn = (m: number[]) =>
      Array.from({ length: series.rows }, (_, j) => m[j * series.columns + column]!).reduce(
        (a, b) => a + b,
        0,
      );
    assert.ok(inColumn(focus) > 0, 'the finding has no voxel in its focus column');
    // Sweep the whole width of the plane: every voxel of that column on that slice is erased.
    await drag('column', { x: sagittal.x + 2, y }, { x: sagittal.x + sagittal.width - 2, y });
    assert.equal(inColumn(await mask(finding.focusSlice)), 0, 'voxels left in the erased column');
    const otherColumn = (m: number[]) => m.filter((v, i) => v === 1 && i % series.columns !== column).length;
    assert.equal(
      otherColumn(await mask(finding.focusSlice)),
      otherColumn(focus),
      'other columns were touched',
    );

    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
