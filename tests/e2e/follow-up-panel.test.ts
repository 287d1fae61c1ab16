// End to end, in a real browser against `overread serve`: the worklist's follow-up marker, which names what grew
// or is new before anything is opened, and the "Since prior" box. Opening the follow-up scan of
// a patient whose earlier scan is in the dataset lines the two up and lists each nodule's change — the API's
// comparison, worded as the report words it: one grown with its doubling time, two stable, one new, one no
// longer seen. A click on the grown one selects it in the findings list; its ↗ opens the prior scan at its
// earlier self and Back returns; the findings report carries the same lines; the baseline scan, whose only
// other study is later, shows no box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FollowUp, PriorSeries } from '../../src/shared/api-types.ts';
import { formatDicomDate } from '../../src/shared/dicom-date.ts';
import { followUpLines } from '../../src/shared/follow-up-text.ts';
import { unbroken } from '../../renderer/prior-panel.ts';
import { ARTIFACTS, withoutChromium } from './chromium.ts';
import { followUpDataset } from './follow-up-dataset.ts';
import type { OverreadApp } from './pages/overread-app.ts';
import { openAppOn } from './reviewed-app.ts';

test(
  "the follow-up scan shows each nodule's change since the prior scan",
  { skip: withoutChromium, timeout: 180_000 },
  async (t) => {
    const data = await followUpDataset();
    const { page, app, pageErrors } = await openAppOn(t, data.db);
    await app.showAllStatuses();

    const followDate = formatDicomDate(await studyDate(app, data.follow.seriesInstanceUid));
    const uid = encodeURIComponent(data.follow.seriesInstanceUid);
    const api = await app.apiJson<FollowUp>(
      `/api/series/${uid}/follow-up?prior=${encodeURIComponent(data.baseline.seriesInstanceUid)}`,
    );
    const [summary, ...lines] = followUpLines(api);

    // The worklist says what changed before anything is opened: the follow-up's marker names the grown and
    // the new nodule, and its hover gives the box's lines; the baseline, with no earlier study, has none.
    const followRow = page.locator('#worklist-body tr', { hasText: followDate });
    const marker = followRow.locator('.prior-badge');
    await followRow.locator('.prior-badge.changed').waitFor({ timeout: 60_000 });
    assert.equal(await marker.textContent(), '↺ 1 grown · 1 new');
    const baselineDate = formatDicomDate(await studyDate(app, data.baseline.seriesInstanceUid));
    const title = await marker.getAttribute('title');
    assert.equal(
      title,
      [
        `follow-up: prior study ${baselineDate} in the dataset (S shows it side by side)`,
        summary,
        ...lines,
      ].join('\n'),
    );
    const baselineRow = page.locator('#worklist-body tr', { hasText: baselineDate });
    assert.equal(await baselineRow.locator('.prior-badge').count(), 0);
    // With the marker's words in, the list still fits a 1280 px window: the descriptions give way.
    const overflow = await app.worklistOverflow();
    assert.equal(overflow, 0, `the worklist is ${overflow} px wider than its window`);

    await followRow.dblclick();
    await app.waitForViewer();
    assert.equal(await app.openSeriesUid(), data.follow.seriesInstanceUid);
    const heading = page.locator('#prior-heading');
    await page.waitForFunction(
      () => /^Since \d{4}-/.test(document.getElementById('prior-heading')?.textContent ?? ''),
      undefined,
      {
        timeout: 60_000,
      },
    );
    assert.equal(await heading.textContent(), summary);
    assert.match(
      summary!,
      new RegExp(
        `^Since ${formatDicomDate(await studyDate(app, data.baseline.seriesInstanceUid))} \\(${data.follow.followUp!.days} days\\): `,
      ),
    );
    assert.match(summary!, /: 1 grown, 1 new, 1 not seen now, 2 stable$/);
    const rows = await page.locator('#prior-list li > button:first-child').allTextContents();
    // The report's lines, each figure kept with its unit on the panel's narrow lines.
    assert.deepEqual(rows, lines.map(unbroken));
    assert.match(
      await app.text('#prior-status'),
      /^Lined up by a shift of -?\d+, -?\d+, -?\d+ mm \(match 0\.9\d\)\.$/,
    );
    await page.locator('#prior-box').screenshot({ path: join(ARTIFACTS, 'follow-up-panel.png') });

    // The grown nodule's row selects it.
    const grown = api.changes.find((c) => c.change === 'grown')!;
    assert.ok(grown.doublingDays! > 0);
    const number = api.current.find((n) => n.id === grown.current)!.number;
    const selectedIs = (n: number) =>
      page.waitForFunction(
        (n) =>
          document
            .querySelector('#findings-list li.selected .finding-title')
            ?.textContent?.startsWith(`#${n} `),
        n,
      );
    await page.locator('#prior-list li.grown button').first().click();
    await selectedIs(number);

    // Its ↗ opens the prior scan at the same nodule's earlier self; Back returns to it here.
    const priorNumber = api.priorNodules.find((n) => n.id === grown.prior)!.number;
    await page.getByRole('button', { name: `Open the prior scan at its nodule #${priorNumber}` }).click();
    await page.waitForFunction(
      (uid) => document.getElementById('viewer-view')?.dataset['seriesUid'] === uid,
      data.baseline.seriesInstanceUid,
    );
    await selectedIs(priorNumber);
    const back = page.locator('#prior-back');
    assert.equal(await back.textContent(), `← Back to the ${followDate} scan`);
    assert.equal(
      await app
        .apiJson<{ status: string }>(`/api/series/${encodeURIComponent(data.baseline.seriesInstanceUid)}`)
        .then((s) => s.status),
      'flagged',
      'opening the prior to look does not start its review',
    );
    await back.click();
    await page.waitForFunction(
      (uid) => document.getElementById('viewer-view')?.dataset['seriesUid'] === uid,
      data.follow.seriesInstanceUid,
    );
    await selectedIs(number);
    assert.equal(await back.isHidden(), true);

    // The findings report says the same.
    await app.press('l');
    await page.waitForFunction(() =>
      /^Overread findings/.test(document.getElementById('report-text')?.textContent ?? ''),
    );
    const report = (await page.locator('#report-text').textContent()) ?? '';
    assert.ok(report.includes(`${summary}:\n${lines.map((line) => `  ${line}`).join('\n')}`), report);
    await page.keyboard.press('Escape');

    // The baseline: its only other study is later, which "since" would read backwards — no box.
    const priors = await app.apiJson<{ priors: PriorSeries[] }>(
      `/api/series/${encodeURIComponent(data.baseline.seriesInstanceUid)}/priors`,
    );
    assert.equal(priors.priors[0]!.daysBefore, -data.follow.followUp!.days);
    // Back on the worklist, its comparison is asked again: the series is in review now, and was open.
    const askedAgain = page.waitForResponse(
      (r) => new URL(r.url()).pathname === `/api/series/${uid}/follow-up`,
    );
    await app.press('Escape');
    await page.getByRole('table', { name: 'Series to read' }).waitFor();
    assert.equal((await askedAgain).status(), 200);
    const answered = page.waitForResponse((r) => /\/priors$/.test(new URL(r.url()).pathname));
    await page.locator('#worklist-body tr', { hasText: baselineDate }).dblclick();
    assert.equal(await app.openSeriesUid(), data.baseline.seriesInstanceUid);
    await answered;
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
    assert.equal(await page.locator('#prior-box').isHidden(), true);
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);
  },
);

async function studyDate(app: OverreadApp, seriesUid: string): Promise<string> {
  return (await app.apiJson<{ studyDate: string }>(`/api/series/${encodeURIComponent(seriesUid)}`)).studyDate;
}
