// The README's screenshots, taken from the real app: `node --import tsx scripts/screenshots.ts [--out DIR]`.
// Generates sample studies with `overread sample --follow-up`, starts `overread serve` on a fresh dataset with the bundled
// model (a tiny test network when the repository ships none — the script says so), imports the studies
// through the UI as a user would, and writes 1280×800 PNGs: the worklist, the viewer with its flags, the viewer's
// reading aids (thick-slab MIP, ruler, value under the pointer), the coronal and sagittal planes, the findings
// report, the shortcut sheet, a follow-up scan's change since its prior and that scan beside its prior (the samples come in pairs, each with
// its follow-up), the outline tool on a nodule the model missed, and the Model page once every series has
// been read against the generator's truth. Nothing is
// mocked; rerun it after a UI change and commit the images.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STATE_COLOURS } from '../renderer/layer-pixels.ts';
import { installTestModel } from '../tests/inference/test-models.ts';
import { OverreadApp } from '../tests/e2e/pages/overread-app.ts';
import { startServe } from '../tests/e2e/serve-process.ts';
import { launchChromium } from '../tests/e2e/chromium.ts';
import { missedNodule, readAgainstTruth } from './read-against-truth.ts';

const STUDIES = 5;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { out: { type: 'string', default: join('docs', 'screenshots') } },
});
const out = resolve(values.out!);
mkdirSync(out, { recursive: true });

execFileSync(process.execPath, ['scripts/build-renderer.js'], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'overread-screenshots-'));
const samples = join(work, 'samples');
execFileSync(
  process.execPath,
  [
    'bin/overread.js',
    'sample',
    samples,
    '--studies',
    String(STUDIES),
    '--size',
    '512',
    '--seed',
    '11',
    '--nodules',
    '3',
    '--follow-up',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);

const bundled =
  existsSync('models') &&
  readdirSync('models').some((name) => existsSync(join('models', name, 'model.json')));
const modelArgs: string[] = [];
if (!bundled) {
  console.error('no bundled model in models/: using a tiny test network (it flags air, not nodules)');
  installTestModel(join(work, 'models'), { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'test-model' });
  modelArgs.push('--models', join(work, 'models'));
}

const server = await startServe(join(work, 'overread.db'), modelArgs);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const app = new OverreadApp(page);
  await app.goto(server.url);
  await app.chooseReader('Dr Example');
  await app.importPaths([samples]);
  await app.waitForTriagedSeries(2 * STUDIES, 600_000);
  // The "Since prior" box done lining the scans up (or hidden: no prior), and no toast over the picture.
  const priorSettled = () =>
    page.waitForFunction(
      () =>
        (document.getElementById('prior-box') as HTMLElement).hidden ||
        !/Lining/.test(document.getElementById('prior-status')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
  const noToasts = async () => {
    await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, null, {
      timeout: 15_000,
    });
    await priorSettled();
  };

  // The viewer on the most suspicious series, its first flag selected.
  await app.openSelectedSeries();
  const flag = await app.waitForColour(STATE_COLOURS.pending, 10);
  await page.mouse.move(0, 799); // no hover highlight or brush cursor in the picture
  await noToasts();
  await page.screenshot({ path: join(out, 'viewer.png') });
  const toolbar = (await page.getByRole('toolbar', { name: 'Viewer tools' }).boundingBox())!;
  if (toolbar.height >= 40) throw new Error(`the viewer's tools wrap at 1280 px (${toolbar.height} px high)`);

  // Reading aids on the same flag: a 10 mm MIP (T), a ruler across the flag (M), the pointer on its centre.
  // Zoomed ×2 about the flag first (Ctrl+wheel, then a pan to it), as a reader looks at a nodule.
  if (!flag.centroid) throw new Error('the first flag is not drawn');
  const { x, y } = flag.centroid;
  await app.press('t');
  await page.waitForFunction(() =>
    /MIP 10 mm/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
  );
  const frame = (await app.viewportFrame().boundingBox())!;
  const centre = { x: frame.width / 2, y: frame.height / 2 };
  await page.keyboard.down('Shift');
  await app.dragOnImage({ x, y }, centre);
  await page.keyboard.up('Shift');
  await page.mouse.move(frame.x + centre.x, frame.y + centre.y);
  await page.keyboard.down('Control');
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await app.press('m');
  await app.dragOnImage({ x: centre.x - 36, y: centre.y + 2 }, { x: centre.x + 36, y: centre.y + 2 });
  await page.mouse.move(frame.x + centre.x, frame.y + centre.y);
  await app.press('Escape'); // the ruler's banner off; its line stays
  await noToasts();
  await page.screenshot({ path: join(out, 'reading-aids.png') });
  await app.press('t');

  // The coronal and sagittal planes (V) through the same flag, once the whole series has arrived.
  await app.press('Delete'); // the ruler line off
  await app.press('r');
  await app.press('v');
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('#plane-panes .plane-label')].every((label) =>
        /^(Coronal|Sagittal) · (row|column) \d+ \/ \d+$/.test(label.textContent ?? ''),
      ),
    null,
    { timeout: 60_000 },
  );
  await page.mouse.move(0, 799);
  await noToasts();
  await page.screenshot({ path: join(out, 'planes.png') });
  await app.press('v');

  // A little reading, so the worklist shows more than one status: confirm, reject as a vessel, done (the
  // next series opens, in review), back to the worklist with every status listed.
  await app.pressAndWait('y', 'POST', /\/decision$/);
  await app.press('n');
  await app.pressAndWait('1', 'POST', /\/decision$/);
  // The findings report (L) of what was just decided.
  await app.press('l');
  await page.waitForFunction(() =>
    /^Overread findings/.test(document.getElementById('report-text')?.textContent ?? ''),
  );
  await noToasts();
  await page.screenshot({ path: join(out, 'report.png') });
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: 'Findings report' }).waitFor({ state: 'hidden' });
  const title = await page.title();
  await app.pressAndWait('d', 'POST', /\/status$/);
  await page.waitForFunction((before) => document.title !== before, title);
  await app.press('Escape');
  await page.getByRole('table', { name: 'Series to read' }).waitFor();
  await app.showAllStatuses();
  await page.waitForFunction(() =>
    /In review/.test(document.getElementById('worklist-body')?.textContent ?? ''),
  );
  // Every follow-up's marker says what changed since its prior (the comparisons come one at a time).
  await page.waitForFunction(
    () => [...document.querySelectorAll('#worklist-body .prior-badge')].every((b) => b.textContent !== '↺'),
    null,
    { timeout: 180_000 },
  );
  await noToasts();
  const overflow = await app.worklistOverflow();
  if (overflow > 0) throw new Error(`the worklist is ${overflow} px wider than a 1280 px window`);
  await page.screenshot({ path: join(out, 'worklist.png') });

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys back from the filter
  await app.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  const sheetOverflow = await page.evaluate(() => {
    const sheet = document.getElementById('shortcut-sheet')!;
    return sheet.scrollHeight - sheet.clientHeight;
  });
  if (sheetOverflow > 0)
    throw new Error(`the shortcut sheet scrolls by ${sheetOverflow} px in an 800 px window`);
  await page.screenshot({ path: join(out, 'shortcuts.png') });
  await page.keyboard.press('Escape');

  // A follow-up scan whose comparison with the patient's prior shows a grown nodule, found through the API
  // and opened by its accession number from the worklist's search, as a reader handed it would.
  const list = await app.apiJson<{ items: { seriesUid: string; accessionNumber: string }[] }>(
    '/api/worklist?limit=500',
  );
  let chosen: { accession: string; grown: boolean } | undefined;
  for (const item of list.items) {
    const { priors } = await app.apiJson<{ priors: { seriesUid: string; daysBefore: number | null }[] }>(
      `/api/series/${encodeURIComponent(item.seriesUid)}/priors`,
    );
    const prior = priors.find((p) => (p.daysBefore ?? 0) > 0);
    if (!prior) continue;
    const followUp = await app.apiJson<{ changes: { change: string }[] }>(
      `/api/series/${encodeURIComponent(item.seriesUid)}/follow-up?prior=${encodeURIComponent(prior.seriesUid)}`,
    );
    const grown = followUp.changes.some((c) => c.change === 'grown');
    if (!chosen || (grown && !chosen.grown)) chosen = { accession: item.accessionNumber, grown };
  }
  if (!chosen) throw new Error('no follow-up series in the worklist');
  await page.getByLabel('Search the worklist').fill(chosen.accession);
  await page.waitForFunction(() => document.querySelectorAll('#worklist-body tr').length === 1);
  await page.locator('#worklist-body tr').dblclick();
  await app.waitForViewer();
  await page.waitForFunction(
    () => /^Since \d{4}-/.test(document.getElementById('prior-heading')?.textContent ?? ''),
    null,
    { timeout: 60_000 },
  );
  await page.mouse.move(0, 799);
  await noToasts();
  await page.screenshot({ path: join(out, 'follow-up.png') });

  // The same scan with its prior side by side (S), at its grown nodule when there is one.
  const grownRow = page.locator('#prior-list li.grown > button:first-child');
  if (await grownRow.count()) await grownRow.first().click();
  await app.press('s');
  await page.waitForFunction(() => document.getElementById('prior-pane')?.dataset['slice'] !== undefined);
  await page.waitForTimeout(1500); // the prior's outlines arrive after its slice
  await page.mouse.move(0, 799);
  await noToasts();
  await page.screenshot({ path: join(out, 'side-by-side.png') });

  await app.press('s');
  await app.press('Escape');
  await page.getByRole('table', { name: 'Series to read' }).waitFor();

  // The outline tool (O) on a nodule the model missed (found through the truth as read-against-truth.ts finds
  // them), opened by its accession number, the toast saying what came out. Taken back after the picture
  // (Ctrl+Z), so the reading below starts from the model's flags alone.
  const missed = await missedNodule(app, samples, 6);
  if (!missed) throw new Error('no nodule of 6 mm or more that the model missed');
  const accession = list.items.find((item) => item.seriesUid === missed.seriesUid)!.accessionNumber;
  await page.getByLabel('Search the worklist').fill(accession);
  await page.waitForFunction(() => document.querySelectorAll('#worklist-body tr').length === 1);
  await page.locator('#worklist-body tr').dblclick();
  await app.waitForViewer();
  await app.press('Home');
  for (let n = 0; n < Math.floor(missed.k / 10); n++) await app.press('PageDown');
  for (let n = 0; n < missed.k % 10; n++) await app.press('ArrowDown');
  await app.waitForSlice(missed.k + 1);
  await app.press('o');
  const outlined = await app.clickAndWait(
    (await app.imageToFrame())(...missed.point),
    'POST',
    /\/findings\/outline$/,
  );
  if (outlined.status() !== 201) throw new Error(`the outline was refused: ${await outlined.text()}`);
  await page.mouse.move(0, 799);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.toast')].some((t) => /^Outlined finding/.test(t.textContent ?? '')),
  );
  await priorSettled();
  await page.waitForTimeout(1000); // the outline's masks arrive after the list
  await page.screenshot({ path: join(out, 'outline.png') });
  await app.press('Escape');
  await app.pressAndWait('Control+z', 'POST', /\/undo$/);
  await app.press('Escape');
  await page.getByRole('table', { name: 'Series to read' }).waitFor();

  // The Model page once every series is read against the generator's truth (scripts/read-against-truth.ts).
  const read = await readAgainstTruth(app, samples);
  await page.getByRole('button', { name: 'Model', exact: true }).click();
  await page.locator('#model-view').waitFor({ state: 'visible' });
  await page.waitForFunction(
    () => Number(document.getElementById('chart-froc')?.dataset['points']) > 1,
    null,
    {
      timeout: 60_000,
    },
  );
  await page.waitForTimeout(1500); // the charts' entry animation
  await page.mouse.move(0, 799);
  await noToasts();
  await page.screenshot({ path: join(out, 'model.png') });
  console.log(
    `wrote worklist.png, viewer.png, reading-aids.png, planes.png, report.png, shortcuts.png, follow-up.png, side-by-side.png, outline.png and model.png to ${out}${chosen.grown ? '' : ' (no follow-up with a grown nodule found)'}; read against the truth: ${read.confirmed} flags confirmed, ${read.rejected} rejected, ${read.added} nodules added`,
  );
} finally {
  await browser.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
