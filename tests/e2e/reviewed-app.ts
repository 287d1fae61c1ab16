// What the viewer's end-to-end tests over the reviewed dataset (tests/export/helpers/reviewed-dataset.ts: two
// generated studies, one reviewed by Reader^Alice) start with: the dataset, `overread serve` on it, Debian's
// Chromium on the app's worklist at 1280 × 800, and the page's uncaught errors collected; all torn down after
// the test.
import type { TestContext } from 'node:test';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import type { SeriesInfo } from '../../src/shared/api-types.ts';
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
  const data = await reviewedDataset();
  data.store.close();
  return { data, ...(await openAppOn(t, data.db)) };
}

/**
 * `overread serve` on the dataset `db` and Debian's Chromium on its worklist at 1280 × 800, with the page's
 * uncaught errors collected; all torn down after the test, the dataset's folder removed.
 */
export async function openAppOn(t: TestContext, db: string): Promise<Omit<ReviewedApp, 'data'>> {
  prepareRenderer();
  const server = await startServe(db);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    rmSync(dirname(db), { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const app = new OverreadApp(page);
  await page.goto(server.url);
  await page.getByRole('table', { name: 'Series to read' }).waitFor();
  return { page, app, pageErrors };
}

/** The reviewed app with the worklist's first series (every status listed) open in the viewer, and its info. */
export async function openReviewedSeries(
  t: TestContext,
): Promise<ReviewedApp & { uid: string; series: SeriesInfo }> {
  const opened = await openReviewedApp(t);
  await opened.app.showAllStatuses();
  await opened.app.openSelectedSeries();
  const uid = await opened.app.openSeriesUid();
  const series = await opened.app.apiJson<SeriesInfo>(`/api/series/${encodeURIComponent(uid)}`);
  return { ...opened, uid, series };
}
