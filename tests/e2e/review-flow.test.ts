// End to end, in a real browser against `overread serve`: import generated sample studies through the UI,
// wait for the model, open the top series, see the flags drawn on the canvas, confirm one, reject one with a
// reason, paint a correction, add a missed finding, undo and redo, mark the series done — then restart the
// server and find every action still there. Screenshots go to test-artifacts/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OverreadApp } from './pages/overread-app.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { STATE_COLOURS, WHAT_IF_COLOUR } from '../../renderer/layer-pixels.ts';
import { installTestModel } from '../inference/test-models.ts';
import { ARTIFACTS, launchChromium, prepareRenderer, withoutChromium } from './chromium.ts';
import type { FindingInfo, WorklistPage } from '../../src/shared/api-types.ts';

/** Two synthetic chest CT studies with nodules, written by `overread sample` (a few seconds). */
function sampleStudies(folder: string): string {
  execFileSync(
    process.execPath,
    [
      'bin/overread.js',
      'sample',
      folder,
      '--studies',
      '2',
      '--size',
      '256',
      '--slices',
      '80',
      '--nodules',
      '3',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return folder;
}

/**
 * The model the server triages with: the bundled default when the repository ships one (models/<id>/model.json),
 * else a tiny real ONNX network (tests/inference/test-models.ts: probability = sigmoid(6 − 12·x) on HU windowed
 * to [0, 1], so air — the lungs and around the patient — comes out as findings) installed as a user model.
 */
function modelArguments(work: string): string[] {
  const bundled =
    existsSync('models') &&
    readdirSync('models').some((name) => existsSync(join('models', name, 'model.json')));
  // OVERREAD_E2E_MODEL=test runs the flow on the tiny network even where a bundled model is installed.
  if (bundled && process.env['OVERREAD_E2E_MODEL'] !== 'test') return [];
  const dir = join(work, 'models');
  installTestModel(dir, { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'e2e-air-model' });
  return ['--models', dir];
}

test(
  'a reader reviews a flagged study end to end and every action survives a restart',
  { skip: withoutChromium, timeout: 240_000 },
  async (t) => {
    prepareRenderer();
    const work = mkdtempSync(join(tmpdir(), 'overread-e2e-'));
    const samples = sampleStudies(join(work, 'samples'));
    const db = join(work, 'overread.db');
    const models = modelArguments(work);
    let server: ServeProcess | undefined = await startServe(db, models);
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    t.after(async () => {
      // Whatever happened, the screen at the end is kept beside the other screenshots.
      await page.screenshot({ path: join(ARTIFACTS, 'last-screen.png') }).catch(() => {});
      await browser.close();
      await server?.stop();
      rmSync(work, { recursive: true, force: true });
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // The server's strict CSP must hold: no inline script or style, no eval, nothing from elsewhere.
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    const app = new OverreadApp(page);

    // Import through the UI and wait for the model to triage both studies.
    await app.goto(server.url);
    await app.chooseReader('Dr Example'); // a new user is asked who is reading
    // An empty dataset offers the bundled sample (this test imports its own studies instead).
    assert.ok(await page.getByRole('button', { name: 'Open the sample studies' }).isVisible());
    await app.recordProgressBars();
    await app.importPaths([samples]);
    await app.waitForTriagedSeries(2);
    const bars = await app.progressBarsSeen();
    // Real progress: the import's bar and the bar of the model runs it queued, each with a value at some point.
    assert.ok(bars.includes('Import progress determinate'), `no import progress bar: ${bars}`);
    assert.ok(bars.includes('Model progress determinate'), `no model progress bar: ${bars}`);
    await page.screenshot({ path: join(ARTIFACTS, '01-worklist.png') });
    const rows = await app.worklistRows();
    assert.ok(
      rows.some((row) => row.status === 'Flagged'),
      `no flagged series: ${JSON.stringify(rows)}`,
    );
    // The Largest column shows each series' largest model finding, as its findings list measures it.
    const listed = await app.apiJson<WorklistPage>('/api/worklist?limit=100');
    for (const row of rows) {
      const item = listed.items.find(
        (i) => i.patientId === row.patientId && i.seriesDescription === row.series,
      );
      assert.ok(item, `row ${JSON.stringify(row)} not in the API's worklist`);
      const findings = await app.apiJson<FindingInfo[]>(
        `/api/series/${encodeURIComponent(item.seriesUid)}/findings`,
      );
      const sizes = findings.filter((f) => f.source === 'model').map((f) => f.diameterMm);
      assert.equal(row.largest, sizes.length ? `${Math.max(...sizes).toFixed(1)} mm` : '—', row.series);
    }
    assert.ok(
      rows.some((row) => / mm$/.test(row.largest)),
      'no series shows a finding size',
    );
    // Sort → Largest finding: the list asks the API for that order, and its Largest column then reads from the
    // largest down, series without one last; back to the suspicion order afterwards (the steps below count
    // rows in it).
    const sizeOf = (row: { largest: string }) => (row.largest === '—' ? -1 : parseFloat(row.largest));
    const key = (list: { patientId: string; series: string }[]) =>
      list.map((r) => `${r.patientId}/${r.series}`).sort();
    await Promise.all([
      page.waitForResponse((r) => /\/api\/worklist\?[^#]*sort=largest/.test(r.url()) && r.ok()),
      page.getByLabel('Sort order').selectOption('largest'),
    ]);
    const descending = (list: number[]) => list.every((v, i) => i === 0 || v <= list[i - 1]!);
    let bySize = await app.worklistRows();
    for (let i = 0; i < 50 && !descending(bySize.map(sizeOf)); i++) {
      await page.waitForTimeout(100); // until the response is rendered
      bySize = await app.worklistRows();
    }
    const sizes = bySize.map(sizeOf);
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
      `not largest first: ${sizes}`,
    );
    assert.deepEqual(key(bySize), key(rows), 'the same series');
    await page.getByLabel('Sort order').selectOption('priority');
    await page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll('#worklist-body tr')).length === expected.length &&
        Array.from(document.querySelectorAll('#worklist-body tr')).every((tr, i) =>
          (tr.textContent ?? '').includes(expected[i]!),
        ),
      rows.map((r) => r.series),
    );

    // Open the top series: the flags are listed and drawn on the canvas in the pending colour.
    const sliceRequests: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/series\/[^/]+\/slices(\/|\?)/.test(request.url())) sliceRequests.push(request.url());
    });
    await app.openSelectedSeries();
    // The first image comes alone; the rest of the stack is prefetched in ranges, every slice exactly once.
    const rangeOf = (url: string) => {
      const query = new URL(url).searchParams;
      return query.has('from') ? [Number(query.get('from')), Number(query.get('count'))] : null;
    };
    const seriesSlices = Number(
      /Slice \d+ \/ (\d+)/.exec((await page.locator('#corner-bottom-left').textContent()) ?? '')?.[1],
    );
    const rangeSlices = () =>
      sliceRequests.map(rangeOf).reduce((sum, range) => sum + (range ? range[1]! : 0), 0);
    for (let i = 0; i < 100 && rangeSlices() < seriesSlices - 1; i++) await page.waitForTimeout(100);
    await page.waitForTimeout(500); // anything fetched twice would show up by now
    // The study's thumbnail strip fetches each series' middle slice on its own (not through the viewer).
    const total = seriesSlices;
    const viewer = sliceRequests.filter((url) => !url.endsWith(`/slices/${Math.floor(total / 2)}`));
    const singles = viewer.filter((url) => !rangeOf(url));
    const covered = viewer.flatMap((url) => {
      const range = rangeOf(url);
      const k = Number(/\/slices\/(\d+)/.exec(url)?.[1]);
      return range ? Array.from({ length: range[1]! }, (_, i) => range[0]! + i) : [k];
    });
    assert.ok(singles.length <= 1, `slices fetched one by one: ${singles.join(' ')}`);
    assert.ok(sliceRequests.some(rangeOf), 'no range request');
    assert.equal(
      new Set(covered).size,
      covered.length,
      `a slice was fetched twice: ${sliceRequests.join(' ')}`,
    );
    for (const name of ['Confirm', 'Reject', 'Brush', 'Eraser', 'Add finding', 'Undo', 'Redo', 'Done']) {
      assert.ok(
        await page.getByRole('button', { name, exact: true }).isVisible(),
        `no visible button named ${name}`,
      );
    }
    assert.deepEqual(await app.unnamedControls(), []);
    const findings = await app.findings();
    assert.ok(
      findings.length >= 2,
      `the top series needs two findings for this test, has ${findings.length}`,
    );
    const initialCount = findings.length;
    const flagged = await app.waitForColour(STATE_COLOURS.pending, 10);
    await app.viewportScreenshot(join(ARTIFACTS, '02-flags.png'));
    assert.ok(flagged.count > 10, `flag outline not drawn (${flagged.count} pixels of the pending colour)`);
    assert.ok(
      await page
        .getByRole('navigation', { name: 'Series in this study' })
        .getByRole('button')
        .first()
        .isVisible(),
      'no series thumbnail',
    );

    // The threshold slider away from the model's threshold outlines, live, what that threshold would flag. The
    // flags are hidden (H) meanwhile: where the preview's outline follows a finding's, the finding's is drawn on
    // top of it.
    await app.press('h');
    const slider = page.getByLabel('Flag threshold');
    await slider.fill('0.3');
    const preview = await app.waitForColour(WHAT_IF_COLOUR, 10);
    assert.ok(preview.count > 10, `no threshold preview drawn (${preview.count} cyan pixels)`);
    assert.match((await page.locator('#threshold-readout').textContent()) ?? '', /regions? here/);
    await slider.fill(String(await app.modelThreshold()));
    assert.equal(await app.waitForColourGone(WHAT_IF_COLOUR), 0, 'the preview stays after the reset');
    await app.press('h');

    // With the probability map on (P), the value under the pointer carries the model's probability there: the
    // API's map byte at the pixel the corner names, over 255.
    await app.press('p');
    const frame = (await app.viewportFrame().boundingBox())!;
    await page.mouse.move(frame.x + flagged.centroid!.x, frame.y + flagged.centroid!.y);
    await page.waitForFunction(() =>
      / · p \d\.\d\d at \d+, \d+/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    const corner = (await page.locator('#corner-bottom-left').textContent()) ?? '';
    const [, shownP, column, row] = / · p (\d\.\d\d) at (\d+), (\d+)/.exec(corner)!;
    const k = Number(/Slice (\d+) \//.exec(corner)![1]) - 1;
    const uid = decodeURIComponent(/\/api\/series\/([^/]+)\/slices/.exec(sliceRequests[0]!)![1]!);
    const { columns } = await app.apiJson<{ columns: number }>(`/api/series/${encodeURIComponent(uid)}`);
    const map = await app.apiBytes(`/api/series/${encodeURIComponent(uid)}/probability/${k}`);
    const byte = map[Number(row) * columns + Number(column)]!;
    assert.equal(shownP, (byte / 255).toFixed(2), `corner says p ${shownP}, the map holds ${byte} / 255`);
    assert.ok(byte > 0, 'the pointer on the flag reads no probability');
    await app.press('p');

    // Confirm the first finding (Y), reject the next with a reason (N then 1 = vessel).
    await app.selectFinding(0);
    await app.pressAndWait('y', 'POST', /\/api\/findings\/\d+\/decision$/);
    await app.waitForDecision(0, 'Confirmed');
    await app.selectFinding(1);
    await app.press('n');
    await app.pressAndWait('1', 'POST', /\/api\/findings\/\d+\/decision$/);
    await app.waitForDecision(1, 'Rejected — vessel');

    // Paint a correction onto the confirmed finding with the brush.
    await app.selectFinding(0);
    const confirmed = await app.waitForColour(STATE_COLOURS.confirmed, 10);
    assert.ok(confirmed.centroid, 'the confirmed finding is not drawn in green');
    await app.press('b');
    const from = confirmed.centroid!;
    const put = await app.dragAndWait(from, { x: from.x + 25, y: from.y + 10 }, 'PUT', /\/mask\/\d+$/);
    assert.equal(put.status() < 300, true, `saving the correction answered ${put.status()}`);
    const maskPath = new URL(put.url()).pathname;
    const correctedMask = await app.apiBytes(maskPath);
    await app.press('Escape'); // leave the brush

    // Add a missed finding by painting it, on the whole image again (R resets the view the finding panned).
    await app.press('r');
    const box = (await app.viewportFrame().boundingBox())!;
    const spot = { x: box.width * 0.35, y: box.height * 0.62 };
    await app.press('a');
    const stroke = { x: spot.x + 12, y: spot.y + 6 };
    const added = await app.dragAndWait(spot, stroke, 'POST', /\/api\/series\/[^/]+\/findings$/);
    assert.ok(added.ok(), `adding the finding answered ${added.status()}`);
    await app.waitForFindingCount(initialCount + 1);

    // Undo takes the added finding away; redo brings it back.
    await app.pressAndWait('Control+z', 'POST', /\/undo$/);
    await app.waitForFindingCount(initialCount);
    await app.pressAndWait('Control+Shift+Z', 'POST', /\/redo$/);
    await app.waitForFindingCount(initialCount + 1);

    // Paint the added finding on the next slice as well: with the brush put down, the finding spans both slices
    // (its range follows the reader's mask, so the viewer keeps drawing what was painted).
    const addedIndex = (await app.findings()).findIndex((f) => f.decision === 'Added');
    await app.selectFinding(addedIndex);
    const firstSlice = Number(/slices (\d+)–\d+/.exec((await app.findings())[addedIndex]!.detail)?.[1]);
    await app.press('ArrowDown');
    await app.waitForSlice(firstSlice + 1);
    await app.press('b');
    const extended = await app.dragAndWait(spot, stroke, 'PUT', /\/mask\/\d+$/);
    assert.ok(extended.ok(), `painting the next slice answered ${extended.status()}`);
    await app.press('Escape');
    await page.waitForFunction(
      ([index, range]) =>
        (document.querySelectorAll('#findings-list li')[index]?.textContent ?? '').includes(range),
      [addedIndex, `slices ${firstSlice}–${firstSlice + 1}`] as const,
    );
    await page.screenshot({ path: join(ARTIFACTS, '03-review.png') });
    const before = await app.findings();

    // D: done, and the next series opens.
    const seriesTitle = await page.title();
    await app.pressAndWait('d', 'POST', /\/status$/);
    await page.waitForFunction((title) => document.title !== title, seriesTitle);
    assert.deepEqual(await app.errorToasts(), []);
    assert.deepEqual(pageErrors, []);

    // Restart the server on the same dataset: every action is still there.
    await server.stop();
    server = await startServe(db, models);
    await app.goto(server.url);
    await app.showAllStatuses();
    const after = await app.worklistRows();
    const doneIndex = after.findIndex((row) => row.status === 'Done');
    assert.ok(doneIndex >= 0, `no series is Done after the restart: ${JSON.stringify(after)}`);
    // The progress bar over the worklist: the done series, and the findings this reader decided (the rows'
    // "decided/found" column summed).
    const [decided, found] = after
      .map((row) => (/^(\d+)\/(\d+)$/.exec(row.findings) ?? [row.findings, '0', row.findings]).map(Number))
      .reduce(([d, f], [, x, y]) => [d + x!, f + y!], [0, 0]);
    const done = after.filter((row) => row.status === 'Done').length;
    assert.equal(
      await app.text('#worklist-progress-text'),
      `${done} of ${after.length} series done · ${decided} of ${found} findings decided`,
    );
    assert.equal(
      await page.locator('#worklist-progress').evaluate((bar: HTMLProgressElement) => bar.value),
      done,
    );
    await page.locator('#worklist-body tr').nth(doneIndex).dblclick();
    await app.waitForViewer();
    await app.waitForFindingCount(before.length);
    const reloaded = await app.findings();
    assert.deepEqual(
      reloaded.map((f) => f.decision),
      before.map((f) => f.decision),
    );
    assert.ok(reloaded.some((f) => f.decision.startsWith('Rejected — vessel')));
    assert.ok(reloaded.some((f) => f.decision === 'Added'));
    assert.deepEqual(await app.apiBytes(maskPath), correctedMask, 'the painted correction was not kept');
    await page.screenshot({ path: join(ARTIFACTS, '04-after-restart.png') });
    assert.deepEqual(await app.errorToasts(), []);

    // About verifies the audit log every action above wrote to, and shows its head (what exports record).
    await page.evaluate(() => {
      location.hash = '#about';
    });
    await page.waitForFunction(() =>
      /hash chain intact/.test(document.querySelector('#audit-status')?.textContent ?? ''),
    );
    assert.match(
      (await page.locator('#audit-status').textContent()) ?? '',
      /^\d+ entries, hash chain intact\. Head: audit \d+ [0-9a-f]{16}/,
    );
    await page.screenshot({ path: join(ARTIFACTS, '04-about.png') });
    await page.click('#about-close');

    // A save that fails is shown, never swallowed: with the server gone, confirming says so and stays on screen.
    await server.stop();
    const pending = (await app.findings()).findIndex((f) => f.decision === 'Pending');
    assert.ok(pending >= 0, 'no pending finding left to try a decision on');
    await app.selectFinding(pending);
    await app.press('y');
    // (Other fetches fail too — the selected finding's masks on its slice — and say so in their own toasts.)
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('.toast.error'), (t) => t.textContent ?? '').some((text) =>
        text.startsWith('Confirming finding '),
      ),
    );
    const failure = (await app.errorToasts()).find((text) => text.startsWith('Confirming finding '));
    assert.match(failure ?? '', /^Confirming finding \d+ failed: the app's server did not answer/);
    assert.equal(
      (await app.findings())[pending]!.decision,
      'Pending',
      'the failed decision is shown as stored',
    );
    await page.screenshot({ path: join(ARTIFACTS, '05-failed-save.png') });
  },
);
