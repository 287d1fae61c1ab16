// End to end, in a real browser against `overread serve`: comparing two readers' reads of a series (second
// reads). Reader^Alice reviewed it (confirmed one finding, rejected one, corrected and confirmed a third, added
// a fourth); Reader^Bob, reading now, decides the first three the other way round or alike through the API and
// leaves her addition unmarked. The "Compare readers" box lists, per finding, both decisions as the API's
// agreement gives them, says how many of the findings both decided (or one added) agree with kappa, and on
// request draws Alice's outlines dashed over Bob's view, her addition's too, on the slice and on the planes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { READER } from '../export/helpers/reviewed-dataset.ts';
import { COMPARE_COLOUR } from '../../renderer/layer-pixels.ts';
import { findColour } from './canvas-pixels.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { openReviewedApp } from './reviewed-app.ts';

interface Agreement {
  findings: { findingId: number; a: string | null; b: string | null; agree: boolean }[];
  kappa: number | null;
  dice: { findingId: number; dice: number }[];
}

const BOB = 'Reader^Bob';

test(
  'Compare readers shows the API’s agreement of two readers and draws the other reader’s outlines',
  { skip: withoutChromium, timeout: 120_000 },
  async (t) => {
    const { data, page, app, pageErrors } = await openReviewedApp(t);
    const uid = data.reviewed.truth.seriesInstanceUid;

    // Bob reads: rejects what Alice confirmed, confirms what she rejected, confirms what she corrected.
    const api = (method: string, url: string, body?: unknown) =>
      page.evaluate(
        async ({ method, url, body }) => {
          const response = await fetch(url, {
            method,
            headers: { 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
          return response.json();
        },
        { method, url, body },
      );
    await api('POST', '/api/session/reader', { name: BOB });
    await api('POST', `/api/findings/${data.ids.confirmed}/decision`, { kind: 'rejected', reason: 'vessel' });
    await api('POST', `/api/findings/${data.ids.rejected}/decision`, { kind: 'confirmed' });
    await api('POST', `/api/findings/${data.ids.corrected}/decision`, { kind: 'confirmed' });
    const done = await app.reloadToDoneRow();
    const rows = await app.worklistRows();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys off the filter
    // The worklist selects the next series to read first: go to the top, then down to the done one.
    for (let i = 0; i < rows.length; i++) await app.press('ArrowUp');
    for (let i = 0; i < done; i++) await app.press('ArrowDown');
    await app.openSelectedSeries();

    const agreement = (await api(
      'GET',
      `/api/series/${encodeURIComponent(uid)}/agreement?a=${encodeURIComponent(BOB)}&b=${encodeURIComponent(READER)}`,
    )) as Agreement;
    const both = agreement.findings.filter((f) => f.a !== null && f.b !== null);
    assert.equal(both.length, 3, JSON.stringify(agreement));
    assert.equal(both.filter((f) => f.agree).length, 1);
    // Alice's addition, which Bob read past: a disagreement counted beside the three.
    const added = agreement.findings.find((f) => f.findingId === data.ids.added);
    assert.deepEqual(added, { findingId: data.ids.added, a: null, b: 'added', agree: false });

    // Closed until asked; opened, it compares the session's reader (Bob) with the other one (Alice).
    assert.equal(await page.locator('#compare-list').isVisible(), false);
    await page.getByText('Compare readers').click();
    await page.waitForFunction(() =>
      /of 4 findings decided by both or added by one agree/.test(
        document.getElementById('compare-summary')?.textContent ?? '',
      ),
    );
    assert.equal(await page.getByLabel('First reader', { exact: true }).inputValue(), BOB);
    assert.equal(await page.getByLabel('Second reader', { exact: true }).inputValue(), READER);
    const summary = (await page.locator('#compare-summary').textContent()) ?? '';
    assert.match(summary, /1 of 4 findings decided by both or added by one agree/);
    assert.match(summary, new RegExp(`κ ${agreement.kappa!.toFixed(2)}`));
    const listed = await page.$$eval('#compare-list li', (items) => items.map((li) => li.textContent ?? ''));
    const order = (
      await app.apiJson<{ id: number }[]>(`/api/series/${encodeURIComponent(uid)}/findings`)
    ).map((f) => f.id);
    const row = (id: number) => listed.find((text) => text.startsWith(`#${order.indexOf(id) + 1} `)) ?? '';
    assert.match(row(data.ids.confirmed), /rejected · confirmed — differ/);
    assert.match(row(data.ids.rejected), /confirmed · rejected — differ/);
    const dice = agreement.dice.find((d) => d.findingId === data.ids.corrected)!.dice;
    assert.ok(dice < 1, 'Alice’s erasure left the two masks equal');
    assert.match(row(data.ids.added), /not marked · added — differ · Dice 0\.00/);
    assert.match(
      row(data.ids.corrected),
      new RegExp(`confirmed · confirmed — agree · Dice ${dice.toFixed(2)}`),
    );

    // Alice's outline of the finding she kept (and Bob rejected), dashed in the compare colour, on request.
    await app.selectFinding(order.indexOf(data.ids.confirmed));
    assert.equal(
      await app.waitForColourGone(COMPARE_COLOUR, 2_000),
      0,
      'outlines drawn before they were asked for',
    );
    await page.getByLabel("Second reader's outlines (dashed)").check();
    const drawn = await app.waitForColour(COMPARE_COLOUR, 10);
    assert.ok(drawn.count >= 10, `no outline of Alice's mask (${drawn.count} px)`);
    await page.screenshot({ path: join(ARTIFACTS, 'compare-readers.png') });
    // And her outline of the nodule she added, which Bob has not marked.
    await app.selectFinding(order.indexOf(data.ids.added));
    const addedOutline = await app.waitForColour(COMPARE_COLOUR, 10);
    assert.ok(addedOutline.count >= 10, `no outline of Alice's addition (${addedOutline.count} px)`);
    // The planes (V), centred on it, cut her outline too, dashed in the same colour.
    const paneColour = async (axis: 'row' | 'column', present: boolean) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { count } = findColour(await page.locator(`#plane-${axis}`).screenshot(), COMPARE_COLOUR);
        if ((present ? count >= 4 : count === 0) || Date.now() > deadline) return count;
        await page.waitForTimeout(200);
      }
    };
    await app.press('v');
    for (const axis of ['row', 'column'] as const) {
      const count = await paneColour(axis, true);
      assert.ok(count >= 4, `no dashed outline of Alice's addition on the ${axis} plane (${count} px)`);
    }
    await page.locator('#plane-panes').screenshot({ path: join(ARTIFACTS, 'compare-readers-planes.png') });
    await page.getByLabel("Second reader's outlines (dashed)").uncheck();
    assert.equal(await app.waitForColourGone(COMPARE_COLOUR), 0, 'the outline stays after unchecking');
    for (const axis of ['row', 'column'] as const)
      assert.equal(await paneColour(axis, false), 0, `the ${axis} plane keeps the outline after unchecking`);
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);
