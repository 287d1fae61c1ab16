// End to end, in a real browser against `overread serve` over a dataset of two generated studies: the coronal
// and sagittal planes (V) beside the stack. Every value a plane shows under the pointer is the API's modality
// value of the voxel it names (row, column and slice, from the API's own decoded slices); the patient's head
// is at the top (the slice under a higher pointer lies higher in z); a click on a plane takes the stack to
// that slice and the other plane to that point; selecting a finding centres the planes on it and its mask is
// drawn on them in its review colour (and hidden with H); the wheel steps a plane; a double click on the
// stack moves the crosshair there; the crosshair's lines are drawn on the stack while the planes are on; with
// the thick slab on, each plane is the MIP over the image rows (or columns) the slab covers; with the
// probability map on (P), each plane's probe reads the API's probability of the voxel it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { STATE_COLOURS } from '../../renderer/layer-pixels.ts';
import { PLANE_COLOURS } from '../../renderer/crosshair.ts';
import { findColour } from './canvas-pixels.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { openReviewedApp } from './reviewed-app.ts';
import type { FindingInfo, SeriesInfo } from '../../src/shared/api-types.ts';

/** A plane's probe line "HU v at c, r · slice s" (s 1-based), or null. */
function planeProbe(text: string): { value: number; column: number; row: number; k: number } | null {
  const match = /HU (-?[\d.]+) at (\d+), (\d+) · slice (\d+)/.exec(text);
  return match
    ? { value: Number(match[1]), column: Number(match[2]), row: Number(match[3]), k: Number(match[4]) - 1 }
    : null;
}

test(
  'the coronal and sagittal planes show the API’s voxels head up, follow the crosshair and draw the findings',
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    const { page, app, pageErrors } = await openReviewedApp(t);
    await app.showAllStatuses();
    await app.openSelectedSeries();
    const text = (selector: string) => app.text(selector);
    const label = (axis: 'row' | 'column') => text(`#plane-${axis} .plane-label`);
    const probeOf = (axis: 'row' | 'column') => text(`#plane-${axis} .plane-probe`);

    const uid = await app.openSeriesUid();
    const series = await app.apiJson<SeriesInfo>(`/api/series/${encodeURIComponent(uid)}`);
    const findings = await app.apiJson<FindingInfo[]>(`/api/series/${encodeURIComponent(uid)}/findings`);
    assert.ok(findings.length > 0, 'the opened series has no finding');

    // Off at first; V turns them on, and they fetch the whole series (the label says so until it is there).
    assert.equal(await page.locator('#plane-panes').isVisible(), false);
    const toolbar = (await page.getByRole('toolbar', { name: 'Viewer tools' }).boundingBox())!;
    assert.ok(
      toolbar.height < 40,
      `the viewer's tools wrap onto a second row at 1280 px (${toolbar.height} px)`,
    );
    await app.press('v');
    assert.equal(
      await page.getByRole('button', { name: 'Planes', exact: true }).getAttribute('aria-pressed'),
      'true',
    );
    await page.waitForFunction(
      () =>
        /^Coronal · row \d+ \/ \d+$/.test(
          document.querySelector('#plane-row .plane-label')?.textContent ?? '',
        ) &&
        /^Sagittal · column \d+ \/ \d+$/.test(
          document.querySelector('#plane-column .plane-label')?.textContent ?? '',
        ),
    );
    // Opened on the finding the viewer selected first: the crosshair is its focus point.
    const selectedAtOpen = (await app.findings()).findIndex((f) => f.selected);
    assert.ok(selectedAtOpen >= 0, 'no finding selected when the series opened');
    const first = findings[selectedAtOpen]!;
    assert.equal(await label('row'), `Coronal · row ${first.focusPoint[1] + 1} / ${series.rows}`);
    assert.equal(await label('column'), `Sagittal · column ${first.focusPoint[0] + 1} / ${series.columns}`);

    await page.screenshot({ path: join(ARTIFACTS, 'plane-panes-open.png') });
    // Values under the pointer on each plane: the API's voxel at the column, row and slice the probe names.
    const slices = new Map<number, number[]>();
    const voxel = async (column: number, row: number, k: number) => {
      if (!slices.has(k)) slices.set(k, await app.sliceValues(uid, k));
      return slices.get(k)![row * series.columns + column]!;
    };
    const nz = series.geometry.direction[2][2];
    for (const axis of ['row', 'column'] as const) {
      const box = (await page.locator(`#plane-${axis} .plane-viewport`).boundingBox())!;
      // The plane is fitted to the pane at its true proportions: this series' 32 slices make a flat band across
      // the middle, so the pointer stays within a few pixels of the middle.
      const read = async (fx: number, dy: number) => {
        await page.mouse.move(box.x + box.width * fx, box.y + box.height / 2 + dy);
        const probe = planeProbe(await probeOf(axis));
        assert.ok(probe, `no value under the pointer on the ${axis} plane: "${await probeOf(axis)}"`);
        return probe;
      };
      const upper = await read(0.45, -10);
      const lower = await read(0.55, 10);
      for (const probe of [upper, lower]) {
        assert.equal(
          probe.value,
          await voxel(probe.column, probe.row, probe.k),
          `${axis} plane at ${JSON.stringify(probe)}`,
        );
        if (axis === 'row') assert.equal(probe.row, first.focusPoint[1]);
        else assert.equal(probe.column, first.focusPoint[0]);
      }
      assert.ok(
        series.slicePositionsMm[upper.k]! * nz > series.slicePositionsMm[lower.k]! * nz,
        `the ${axis} plane shows slice ${upper.k} above slice ${lower.k}: feet up`,
      );
      // Along the plane the pointer moved right, so the probe's in-plane index grew.
      if (axis === 'row') assert.ok(lower.column > upper.column);
      else assert.ok(lower.row > upper.row);
    }

    // A click on the coronal plane takes the stack to the slice under it and the sagittal plane to its column.
    const coronal = (await page.locator('#plane-row .plane-viewport').boundingBox())!;
    const spot = { x: coronal.x + coronal.width * 0.4, y: coronal.y + coronal.height / 2 - 14 };
    await page.mouse.move(spot.x, spot.y);
    const picked = planeProbe(await probeOf('row'))!;
    assert.ok(picked, 'no value under the pointer before the click');
    await page.mouse.click(spot.x, spot.y);
    await app.waitForSlice(picked.k + 1);
    assert.equal(await label('column'), `Sagittal · column ${picked.column + 1} / ${series.columns}`);

    // The wheel on the coronal plane steps its row.
    const before = Number(/row (\d+)/.exec(await label('row'))![1]);
    await page.mouse.wheel(0, 100);
    await page.waitForFunction(
      (expected) =>
        (document.querySelector('#plane-row .plane-label')?.textContent ?? '').startsWith(
          `Coronal · row ${expected} /`,
        ),
      before + 1,
    );

    // Selecting a finding centres all three views on it, and its mask shows on both planes in its colour.
    const listed = await app.findings();
    const index = listed.findIndex((f) => f.decision === 'Pending');
    assert.ok(index >= 0, `no pending finding: ${JSON.stringify(listed)}`);
    const finding = findings[index]!; // the list shows the API's findings in its order
    await app.selectFinding(index);
    await app.waitForSlice(finding.focusSlice + 1);
    assert.equal(await label('row'), `Coronal · row ${finding.focusPoint[1] + 1} / ${series.rows}`);
    assert.equal(await label('column'), `Sagittal · column ${finding.focusPoint[0] + 1} / ${series.columns}`);
    const paneColour = async (axis: 'row' | 'column', rgb: [number, number, number], present: boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const shot = await page.locator(`#plane-${axis}`).screenshot();
        const { count } = findColour(shot, rgb);
        if ((present ? count >= 8 : count === 0) || Date.now() > deadline) return count;
        await page.waitForTimeout(200);
      }
    };
    for (const axis of ['row', 'column'] as const) {
      const count = await paneColour(axis, STATE_COLOURS.pending, true);
      assert.ok(count >= 8, `the pending finding is not drawn on the ${axis} plane (${count} px)`);
    }
    await page.locator('#plane-row').screenshot({ path: join(ARTIFACTS, 'plane-coronal.png') });
    await app.press('h');
    for (const axis of ['row', 'column'] as const) {
      const count = await paneColour(axis, STATE_COLOURS.pending, false);
      assert.equal(count, 0, `the ${axis} plane still draws the finding with flags hidden`);
    }
    await app.press('h');

    // With the probability map on (P) the planes draw it too, and their probe reads the model's probability of
    // the voxel it names: the API's map of that slice at that row and column. The first cut asked for fails
    // (a busy server): the probe goes without it, and a move after the retry pause asks again.
    let failed = 0;
    await page.route('**/probability-plane?**', (route) =>
      failed++ === 0 ? route.fulfill({ status: 503, body: 'busy' }) : route.continue(),
    );
    await app.press('p');
    await page.mouse.move(coronal.x + coronal.width / 2, coronal.y + coronal.height / 2);
    await page.waitForFunction(() => /503|busy/.test(document.body.textContent ?? ''));
    assert.ok(!/ · p /.test(await probeOf('row')), 'the probe reads a cut that failed');
    await page.waitForTimeout(2200);
    await page.mouse.move(coronal.x + coronal.width / 2 + 3, coronal.y + coronal.height / 2);
    await page.waitForFunction(() =>
      / · p \d\.\d\d$/.test(document.querySelector('#plane-row .plane-probe')?.textContent ?? ''),
    );
    await page.unroute('**/probability-plane?**');
    assert.ok(failed >= 2, `${failed} requests: the failed one was not asked again`);
    const toasts = await app.errorToasts();
    assert.ok(
      toasts.length === 1 && /^Loading the probability map along rows \d+–\d+ failed: busy/.test(toasts[0]!),
      `${JSON.stringify(toasts)}`,
    );
    await page.click('.toast.error button[aria-label="Dismiss"]');
    const maps = new Map<number, number[]>();
    let highest = 0;
    for (const axis of ['row', 'column'] as const) {
      const pane = (await page.locator(`#plane-${axis} .plane-viewport`).boundingBox())!;
      for (const fx of [0.5, 0.35, 0.65]) {
        await page.mouse.move(pane.x + pane.width * fx, pane.y + pane.height / 2);
        await page.waitForFunction(
          (id) =>
            / · p \d\.\d\d$/.test(document.querySelector(`#plane-${id} .plane-probe`)?.textContent ?? ''),
          axis,
        );
        const line = await probeOf(axis);
        const probe = planeProbe(line)!;
        if (!maps.has(probe.k))
          maps.set(
            probe.k,
            await app.apiBytes(`/api/series/${encodeURIComponent(uid)}/probability/${probe.k}`),
          );
        const byte = maps.get(probe.k)![probe.row * series.columns + probe.column]!;
        assert.equal(/ · p (\d\.\d\d)$/.exec(line)![1], (byte / 255).toFixed(2), `${axis} plane: ${line}`);
        highest = Math.max(highest, byte);
      }
    }
    assert.ok(
      highest >= 128,
      `the planes through the selected finding read no probability above 0.5 (${highest})`,
    );
    await page.locator('#plane-row').screenshot({ path: join(ARTIFACTS, 'plane-coronal-probability.png') });
    await app.press('p');
    await page.waitForFunction(
      () => !/ · p /.test(document.querySelector('#plane-row .plane-probe')?.textContent ?? ''),
    );

    // The crosshair's lines on the stack (sagittal yellow, coronal green), gone when the planes are off.
    const yellow = await app.waitForColour(PLANE_COLOURS.Sagittal, 20);
    assert.ok(yellow.count >= 20, `no sagittal line on the stack (${yellow.count} px)`);
    const green = await app.waitForColour(PLANE_COLOURS.Coronal, 20);
    assert.ok(green.count >= 20, `no coronal line on the stack (${green.count} px)`);
    await page.screenshot({ path: join(ARTIFACTS, 'plane-panes.png') });

    // A double click on the stack moves the crosshair to the pixel under the pointer.
    const frame = (await app.viewportFrame().boundingBox())!;
    const target = { x: frame.x + frame.width * 0.35, y: frame.y + frame.height * 0.6 };
    await page.mouse.move(target.x, target.y);
    const under = /at (\d+), (\d+)/.exec(await text('#corner-bottom-left'));
    assert.ok(under, `no pixel under the pointer on the stack: ${await text('#corner-bottom-left')}`);
    await page.mouse.dblclick(target.x, target.y);
    await page.waitForFunction(
      (row) =>
        (document.querySelector('#plane-row .plane-label')?.textContent ?? '').startsWith(
          `Coronal · row ${row} /`,
        ),
      Number(under[2]) + 1,
    );
    assert.equal(await label('column'), `Sagittal · column ${Number(under[1]) + 1} / ${series.columns}`);

    // With the thick slab on (T), each plane is a MIP of the same thickness along its normal: the value under
    // the pointer is the largest of the API's voxels over the rows the label names, at that column and slice.
    await app.press('t');
    await page.waitForFunction(() =>
      /\nMIP 10 mm · rows \d+–\d+$/.test(
        document.querySelector('#plane-row .plane-label')?.textContent ?? '',
      ),
    );
    const box = (await page.locator('#plane-row .plane-viewport').boundingBox())!;
    const checkSlab = async (what: string) => {
      const [, fromRow, toRow] = /rows (\d+)–(\d+)$/.exec(await label('row'))!.map(Number) as [
        number,
        number,
        number,
      ];
      assert.ok(toRow - fromRow >= 2, `a 10 mm slab covers rows ${fromRow}–${toRow}`);
      let checked = 0;
      for (const fx of [0.3, 0.45, 0.6]) {
        await page.mouse.move(box.x + box.width * fx + 1, box.y + box.height / 2);
        await page.mouse.move(box.x + box.width * fx, box.y + box.height / 2);
        await page.waitForFunction(() =>
          /HU/.test(document.querySelector('#plane-row .plane-probe')?.textContent ?? ''),
        );
        const probe = planeProbe(await probeOf('row'))!;
        let max = -Infinity;
        for (let row = fromRow - 1; row <= toRow - 1; row++)
          max = Math.max(max, await voxel(probe.column, row, probe.k));
        assert.equal(probe.value, max, `coronal MIP ${what} at ${JSON.stringify(probe)}`);
        checked++;
      }
      assert.equal(checked, 3);
    };
    await checkSlab('as built');
    // Stepped by the wheel a row at a time, each slab plane is built from the one before (planeMaximum).
    for (let step = 1; step <= 2; step++) {
      const shown = await label('row');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 100);
      await page.waitForFunction(
        (before) => (document.querySelector('#plane-row .plane-label')?.textContent ?? '') !== before,
        shown,
      );
      await checkSlab(`${step} row(s) on`);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'plane-panes-slab.png') });
    await app.press('t');
    await page.waitForFunction(
      () => !/MIP/.test(document.querySelector('#plane-row .plane-label')?.textContent ?? ''),
    );

    await app.press('v');
    assert.equal(await page.locator('#plane-panes').isVisible(), false);
    assert.equal(
      await app.waitForColourGone(PLANE_COLOURS.Sagittal),
      0,
      'the crosshair stays without the planes',
    );
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
