// End to end, in a real browser against `overread serve`: the findings report (L). Reader^Alice opens the
// series she reviewed; L shows her decisions as text — the API's report, with a line per kept nodule and the
// rejected one by its number and reason — and Copy copies it (or selects it where the clipboard is not
// allowed); the panel's button opens the same report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SeriesReport } from '../../src/shared/api-types.ts';
import { READER } from '../export/helpers/reviewed-dataset.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { openReviewedApp } from './reviewed-app.ts';

test(
  'L shows the reader’s findings as report text, the API’s, ready to copy',
  { skip: withoutChromium, timeout: 120_000 },
  async (t) => {
    const { data, page, app, pageErrors } = await openReviewedApp(t);
    await page.evaluate(async (name) => {
      const response = await fetch('/api/session/reader', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (!response.ok) throw new Error(`switch reader: ${response.status}`);
    }, READER);
    const done = await app.reloadToDoneRow();
    await page.locator('#worklist-body tr').nth(done).dblclick();
    await app.waitForViewer();
    const uid = await app.openSeriesUid();
    assert.equal(uid, data.reviewed.truth.seriesInstanceUid);

    await app.press('l');
    const dialog = page.getByRole('dialog', { name: 'Findings report' });
    await dialog.waitFor();
    await page.waitForFunction(() =>
      /^Overread findings/.test(document.getElementById('report-text')?.textContent ?? ''),
    );
    const shown = (await page.locator('#report-text').textContent()) ?? '';
    const api = await app.apiJson<SeriesReport>(`/api/series/${encodeURIComponent(uid)}/report`);
    assert.equal(shown, api.text);
    assert.equal(api.kept, 3);
    assert.equal(shown.split('\n').filter((line) => /^#\d+ Nodule, images? /.test(line)).length, 3);
    assert.match(shown, /Rejected \(1\): #\d+ vessel\./);
    assert.ok(!shown.includes(data.patient.id) && !shown.includes(data.patient.name));
    await dialog.screenshot({ path: join(ARTIFACTS, 'findings-report.png') });

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.waitForFunction(() =>
      /Copied\.|Selected: press Ctrl\+C/.test(document.getElementById('report-copied')?.textContent ?? ''),
    );
    if (/Selected/.test((await page.locator('#report-copied').textContent()) ?? ''))
      assert.equal(await page.evaluate(() => document.getSelection()?.toString()), shown);
    await page.getByRole('button', { name: 'Close' }).last().click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Findings report…' }).click();
    await dialog.waitFor();
    await page.waitForFunction(() =>
      /^Overread findings/.test(document.getElementById('report-text')?.textContent ?? ''),
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
