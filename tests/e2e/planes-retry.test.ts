// End to end, in a real browser against `overread serve`: one of the planes' slices fails to arrive (every
// range answer and that slice's own are cut off), the planes say so and how to retry, and V twice fetches
// what is still missing once the server answers again — the planes then fill in, with nothing stale left in
// their labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutChromium } from './chromium.ts';
import { openReviewedApp } from './reviewed-app.ts';

test(
  'slices that failed to load for the planes are fetched again with V twice',
  { skip: withoutChromium, timeout: 120_000 },
  async (t) => {
    const { page, app } = await openReviewedApp(t);
    // Every range answer is cut off from the start, and slice 1's own answer too: the loader falls back to
    // single slices when a range fails, so that one slice is what the planes cannot get.
    const cutOff = /\/api\/series\/[^/]+\/slices(\?from=|\/0$)/;
    let refused = 0;
    await page.route(cutOff, (route) => {
      refused++;
      return route.abort('connectionreset');
    });
    await app.showAllStatuses();
    await app.openSelectedSeries();
    const label = () => app.text('#plane-row .plane-label');
    await app.press('v');
    await page.waitForFunction(() =>
      /slices failed to load .*press V twice to try again/.test(
        document.querySelector('#plane-row .plane-label')?.textContent ?? '',
      ),
    );
    assert.ok(refused > 0);

    await page.unroute(cutOff);
    let asked = 0;
    page.on('request', (request) => {
      if (/\/slices\?from=/.test(request.url())) asked++;
    });
    await app.press('v');
    await app.press('v');
    await page.waitForFunction(() =>
      /^Coronal · row \d+ \/ \d+$/.test(document.querySelector('#plane-row .plane-label')?.textContent ?? ''),
    );
    assert.match(await label(), /^Coronal · row \d+ \/ \d+$/);
    // Only what was missing is asked for again: at most the series' two ranges of 16 slices.
    assert.ok(asked >= 1 && asked <= 2, `${asked} range requests after the retry`);
  },
);
