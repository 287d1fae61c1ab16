// End to end, in a real browser against `overread serve` over a reviewed dataset (reviewed-dataset.ts): the
// Export dialog refuses a relative folder and a taken one in place, then exports DICOM SEG for every series
// with a progress bar, and the files are on disk when it says finished. Screenshot in test-artifacts/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { reviewedDataset } from '../export/helpers/reviewed-dataset.ts';
import { startServe } from './serve-process.ts';
import { ARTIFACTS, launchChromium, prepareRenderer, withoutChromium } from './chromium.ts';

test(
  'the Export dialog checks the folder, shows progress and writes the export',
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    prepareRenderer();
    const data = await reviewedDataset();
    data.store.close();
    const work = mkdtempSync(join(tmpdir(), 'overread-e2e-export-'));
    const server = await startServe(data.db);
    const browser = await launchChromium();
    t.after(async () => {
      await browser.close();
      await server.stop();
      rmSync(work, { recursive: true, force: true });
      rmSync(dirname(data.db), { recursive: true, force: true });
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(server.url);
    await page.getByRole('table', { name: 'Series to read' }).waitFor();

    // Ctrl+E opens it from the worklist.
    await page.keyboard.press('Control+e');
    const dialog = page.getByRole('dialog', { name: 'Export labels' });
    await dialog.waitFor();
    await page.getByLabel('Export format').selectOption('dicom-seg');
    await page.getByLabel('Series to export').selectOption('all');

    await page.getByLabel('Export folder').fill('exports/relative');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByText('is not a full path').waitFor();

    const taken = join(work, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'x'), 'x');
    await page.getByLabel('Export folder').fill(taken);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByText('already exists and is not empty').waitFor();

    const out = join(work, 'seg');
    await page.getByLabel('Export folder').fill(out);
    await page.getByLabel(/Include undecided model proposals/).check();
    await dialog.screenshot({ path: join(ARTIFACTS, 'export-dialog.png') });
    const started = page.waitForResponse((r) => r.url().endsWith('/api/export') && r.status() === 202);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await started;
    await page.getByText(/Export finished: 2 series, 5 findings written to/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'export-finished.png') });
    assert.equal(await dialog.isVisible(), false, 'the dialog closes when the export is done');
    assert.deepEqual(readdirSync(out).sort(), [
      'case_0001',
      'case_0002',
      'cases.json',
      'findings.csv',
      'manifest.json',
    ]);
    assert.ok(existsSync(join(out, 'case_0001', 'seg.dcm')) && existsSync(join(out, 'case_0002', 'seg.dcm')));
    assert.deepEqual(pageErrors, []);
  },
);
