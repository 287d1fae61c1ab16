// End to end, on series written by pydicom (tests/export/fixtures/make-series.py) and imported through the
// app: a one-slice series opens (the stack's prefetch once spun forever when it had fewer ranges to fetch than
// request slots, hanging the page on any single image or on a short series opened at its end), and V on a
// coronal acquisition says that the planes are reformatted from axial stacks, leaves them closed and draws no
// crosshair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLANE_COLOURS } from '../../renderer/crosshair.ts';
import { launchChromium, prepareRenderer, withoutChromium } from './chromium.ts';
import { OverreadApp } from './pages/overread-app.ts';
import { startServe } from './serve-process.ts';

function makeSeries(dir: string, ...args: string[]): void {
  const made = spawnSync('/usr/bin/python3', ['tests/export/fixtures/make-series.py', dir, ...args], {
    encoding: 'utf8',
  });
  assert.equal(made.status, 0, made.stderr);
}

test(
  'a one-slice series opens; V on a coronal acquisition says why there are no planes and draws none',
  { skip: withoutChromium, timeout: 150_000 },
  async (t) => {
    prepareRenderer();
    const work = mkdtempSync(path.join(os.tmpdir(), 'overread-planes-refused-'));
    makeSeries(
      path.join(work, 'coronal'),
      '--orientation',
      'coronal',
      '--rows',
      '48',
      '--cols',
      '40',
      '--slices',
      '8',
    );
    makeSeries(path.join(work, 'single'), '--rows', '48', '--cols', '40', '--slices', '1', '--seed', '2');
    const server = await startServe(path.join(work, 'dataset.sqlite'));
    const browser = await launchChromium();
    t.after(async () => {
      await browser.close();
      await server.stop();
      rmSync(work, { recursive: true, force: true });
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const app = new OverreadApp(page);
    await app.goto(server.url);
    await app.chooseReader('Dr Coronal');
    await app.importPaths([path.join(work, 'coronal'), path.join(work, 'single')]);
    // The model may run on them (small and off its scope) or skip them: either way, wait until it is done.
    await page.waitForFunction(
      () => {
        const statuses = Array.from(
          document.querySelectorAll('#worklist-body tr td:last-child'),
          (td) => td.textContent,
        );
        return statuses.length === 2 && statuses.every((s) => s !== 'Model running');
      },
      null,
      { timeout: 90_000, polling: 500 },
    );
    await app.showAllStatuses();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys off the filter

    // Each series is opened by its row's image count: opening one moves it to "In review", which can reorder the
    // list under the next click.
    const open = async (images: number) => {
      await page
        .locator('#worklist-body tr')
        .filter({ has: page.locator('td:nth-child(8)', { hasText: new RegExp(`^${images}$`) }) })
        .click(); // selects it
      await app.openSelectedSeries();
      // The viewer is reused: its corner shows the last series' slice count until this one's first slice is
      // drawn, so wait (briefly) for the count asked for before reading it.
      await page
        .waitForFunction(
          (n) =>
            new RegExp(`Slice \\d+ / ${n}\\b`).test(
              document.getElementById('corner-bottom-left')?.textContent ?? '',
            ),
          images,
          { timeout: 10_000 },
        )
        .catch(() => undefined); // the assertion below names what was shown instead
      return Number(/Slice \d+ \/ (\d+)/.exec(await app.sliceText())![1]);
    };
    assert.equal(await open(1), 1, 'the one-slice series opens on its one slice');
    await app.press('Escape');
    await page.getByRole('table', { name: 'Series to read' }).waitFor();
    assert.equal(await open(8), 8, 'the coronal series opens with its 8 slices');

    await app.press('v');
    await page
      .locator('.toast.info', {
        hasText: 'No planes: the planes are reformatted from axial stacks, and this series is coronal.',
      })
      .waitFor();
    assert.equal(await page.locator('#plane-panes').isVisible(), false);
    assert.equal(
      await page.getByRole('button', { name: 'Planes', exact: true }).getAttribute('aria-pressed'),
      'false',
    );
    assert.equal(await app.waitForColourGone(PLANE_COLOURS.Sagittal, 1_000), 0);
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
