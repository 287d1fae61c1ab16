// The Model page in a real browser against `overread serve`, over a reviewed dataset whose figures are
// counted by hand (tests/metrics/reviewed-store.ts): the plots render (canvas pixels, not only DOM), the
// threshold slider's preview changes the counts, a target finds its threshold, the plots export as PNG and
// SVG, and the strict CSP holds throughout. Screenshots go to test-artifacts/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findColour } from './canvas-pixels.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { installTestModel } from '../inference/test-models.ts';
import { reviewedStore } from '../metrics/reviewed-store.ts';
import { ARTIFACTS, launchChromium, prepareRenderer, withoutChromium } from './chromium.ts';

const MARK: [number, number, number] = [0xff, 0xaa, 0x00]; // the preview's operating point on the curves

/** The preview table's cell for a figure: column 1 as reviewed, 2 at the slider's threshold. */
function previewCell(page: Page, figure: string, column: 1 | 2) {
  return page.locator(`#preview-table tr[data-figure="${figure}"] td`).nth(column - 1);
}

async function setSlider(page: Page, value: number): Promise<void> {
  await page.locator('#calibration-threshold').evaluate((input, v) => {
    (input as HTMLInputElement).value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

test(
  'the Model page draws FROC, PR and weekly plots and previews a threshold on the reviewed data',
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    prepareRenderer();
    const work = mkdtempSync(join(tmpdir(), 'overread-e2e-model-'));
    const db = join(work, 'overread.db');
    (await reviewedStore(db)).store.close();
    const models = join(work, 'models');
    mkdirSync(models);
    installTestModel(models, { kind: 'fast', a: 10, b: -5, channels: 1 }, { id: 'lung-nodule-unet' });
    const server: ServeProcess = await startServe(db, ['--models', models, '--reader', 'ana']);
    const browser = await launchChromium();
    t.after(async () => {
      await browser.close();
      await server.stop();
      rmSync(work, { recursive: true, force: true });
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    // The figures come from bootstrap intervals computed on request: seconds alone, more than the default 30 s
    // once on a CI run whose other tests loaded the same two cores.
    page.setDefaultTimeout(60_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });

    await page.goto(server.url);
    await page.getByRole('table', { name: 'Series to read' }).waitFor();
    await page.getByRole('button', { name: 'Model', exact: true }).click();
    await page.locator('#model-view').waitFor({ state: 'visible' });

    await page.locator('#model-figures tr').nth(6).waitFor();
    // The figures: sensitivity 3/4 over 4 lesions, precision 3/5, FP/scan 2/3 over 3 series.
    const figures = await page.locator('#model-figures tr').allTextContents();
    assert.ok(
      figures.some((row) => /^Sensitivity0\.750.*4 lesions$/.test(row)),
      figures.join(' | '),
    );
    assert.ok(
      figures.some((row) => /^FP per scan0\.667.*3 series$/.test(row)),
      figures.join(' | '),
    );

    // The plots hold the curves' points and are drawn on their canvases.
    await page.locator('#chart-froc[data-points="5"]').waitFor();
    await page.locator('#chart-pr[data-points="5"]').waitFor();
    await page.locator('#chart-drift[data-points="1"]').waitFor();
    await previewCell(page, 'true positives', 2).filter({ hasText: '3' }).waitFor();
    const froc = await page.locator('#chart-froc').screenshot({ path: join(ARTIFACTS, 'model-froc.png') });
    assert.ok(findColour(froc, MARK, 30).count > 20, 'the preview point is drawn on the FROC canvas');
    const background = findColour(froc, [0x15, 0x17, 0x1a], 3).count;
    const png = await page.locator('#chart-froc').screenshot();
    assert.ok(background < pixelCount(png) * 0.97, 'the FROC canvas holds more than its background');

    // Moving the slider to 0.65 previews the loss of the 0.588 true positive and the 0.627 false positive.
    await setSlider(page, 0.65);
    await page.locator('#preview-table th', { hasText: 'at 0.650' }).waitFor();
    assert.equal(await previewCell(page, 'true positives', 2).textContent(), '2');
    assert.equal(await previewCell(page, 'false positives', 2).textContent(), '1');
    assert.equal(await previewCell(page, 'true positives', 1).textContent(), '3', 'as reviewed stays');
    assert.equal(await previewCell(page, 'sensitivity', 2).textContent(), '0.500');
    assert.match((await page.locator('#preview-change').textContent()) ?? '', /lose 1 true and 1 false/);
    await page.screenshot({ path: join(ARTIFACTS, 'model-page.png') });

    // A sensitivity target finds the threshold that reaches it.
    await page.locator('#target-sensitivity').fill('0.75');
    await page.locator('#find-sensitivity').click();
    await page.locator('#preview-table th', { hasText: 'at 0.588' }).waitFor();
    assert.equal(await previewCell(page, 'true positives', 2).textContent(), '3');

    // Export: the SVG is an SVG document of the FROC plot; the PNG is a PNG.
    const [svgDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="froc"][data-format="svg"]').click(),
    ]);
    const svg = readFileSync((await svgDownload.path())!, 'utf8');
    assert.match(svgDownload.suggestedFilename(), /^overread-froc-lung-nodule-unet-1\.0\.0\.svg$/);
    assert.match(svg, /^<svg[\s\S]*FROC[\s\S]*<\/svg>$/);
    const [pngDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="pr"][data-format="png"]').click(),
    ]);
    const bytes = readFileSync((await pngDownload.path())!);
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG signature');

    // Saving the threshold records it for the model.
    await page.locator('#save-threshold').click();
    await page.locator('#saved-threshold', { hasText: 'saved: 0.588' }).waitFor();
    // Applying it re-derives the one unreviewed series (S4) from its kept map: at 0.588 all three cubes stay.
    await page.locator('#apply-threshold').click();
    await page
      .locator('.toast', { hasText: /1 unreviewed series re-derived .*\(3 → 3 findings\)/ })
      .waitFor();

    assert.deepEqual(problems, [], 'no page errors and no CSP refusals');
  },
);

function pixelCount(png: Buffer): number {
  // width × height from the IHDR chunk
  return png.readUInt32BE(16) * png.readUInt32BE(20);
}
