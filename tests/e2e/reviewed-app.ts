// What the viewer's end-to-end tests over the reviewed dataset (tests/export/helpers/reviewed-dataset.ts: two
// generated studies, one reviewed by Reader^Alice) start with: the dataset, `overread serve` on it, Debian's
// Chromium on the app's worklist at 1280 × 800, and the page's uncaught errors collected; all torn down after
// the test.
import type { TestContext } from 'node:test';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { reviewedDataset, type ReviewedDataset } from '../export/helpers/reviewed-dataset.ts';
import { launchChromium, prepareRenderer } from './chromium.ts';
import { OverreadApp } from './pages/overread-app.ts';
import { startServe } from './serve-process.ts';

export interface ReviewedApp {
  data: ReviewedDataset;
  page: Page;
  app: OverreadApp;
  /** Uncaught errors in the page so far (a test ends by asserting there were none). */
  pageErrors: string[];
}

export async function openReviewedApp(t: TestContext): Promise<ReviewedApp> {
  prepareRenderer();
  const data = await reviewedDataset();
  data.store.close();
  const server = await startServe(data.db);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    rmSync(dirname(data.db), { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const app = new OverreadApp(page);
  await page.goto(server.url);
  await page.getByRole('table', { name: 'Series to read' }).waitFor();
  return { data, page, app, pageErrors };
}
