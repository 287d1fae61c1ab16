// End to end, in a real browser against `overread serve` and a real Orthanc (authentication on): the PACS
// dialog adds a server with its password (kept for the session only), tests the connection, searches,
// pulls the selected study with a progress bar (imported and triaged), and on a series marked done pushes
// the labels, showing the server's answer per object and an empty retry queue. Screenshot in
// test-artifacts/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FindingInfo, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import { orthancAvailable, startOrthanc } from '../pacs/orthanc-server.ts';
import { startServe } from './serve-process.ts';
import { ARTIFACTS, launchChromium, prepareRenderer, withoutChromium } from './chromium.ts';

const skip = withoutChromium || (orthancAvailable() ?? false);

test(
  'the PACS dialog adds a server, searches, pulls with progress and pushes labels',
  { skip, timeout: 240_000 },
  async (t) => {
    prepareRenderer();
    const work = mkdtempSync(join(tmpdir(), 'overread-e2e-pacs-'));
    const study = sampleStudy({ seed: 'e2e-pacs', size: 64, slices: 12 });
    const orthanc = await startOrthanc();
    await orthanc.upload(study.files);
    installTestModel(join(work, 'models'), { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'e2e-pacs' });
    // The serve process reads its PACS settings, cache and queue below OVERREAD_DATA_DIR.
    const previousDataDir = process.env.OVERREAD_DATA_DIR;
    process.env.OVERREAD_DATA_DIR = join(work, 'app-data');
    const server = await startServe(join(work, 'overread.db'), ['--models', join(work, 'models')]);
    if (previousDataDir === undefined) delete process.env.OVERREAD_DATA_DIR;
    else process.env.OVERREAD_DATA_DIR = previousDataDir;
    const browser = await launchChromium();
    t.after(async () => {
      await browser.close();
      await server.stop();
      await orthanc.stop();
      rmSync(work, { recursive: true, force: true });
    });
    const apiCall = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${server.origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
      return (await response.json()) as T;
    };

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    const who = page.getByRole('dialog', { name: 'Who is reading?' });
    await who.getByLabel('Reader name').fill('Dr PACS');
    await who.getByRole('button', { name: 'Start reading' }).click();
    await who.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'PACS…' }).click();
    const dialog = page.getByRole('dialog', { name: 'PACS (DICOMweb)' });
    await dialog.waitFor();
    await page.getByText('Add or edit a server').click();
    await page.getByLabel('Server name').fill('orthanc');
    await page.getByLabel('DICOMweb URL').fill(orthanc.dicomWebUrl);
    await page.getByLabel('Authentication').selectOption('basic');
    await page.getByLabel('User name').fill(orthanc.user);
    await page.getByLabel('Password or token').fill(orthanc.password);
    await page.getByRole('button', { name: 'Save server' }).click();
    await page.getByText('Saved "orthanc" (secret kept until Overread closes).').waitFor();
    assert.equal(await page.getByLabel('Password or token').inputValue(), '', 'the field is emptied');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('"orthanc": connected, credentials accepted').waitFor();

    const patientId = /\[(.*)\]/.exec(
      execFileSync('dcmdump', ['+P', 'PatientID', study.files[0]!], { encoding: 'utf8' }),
    )![1]!;
    await page.getByLabel('Patient ID').fill(patientId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Studies 1–1').waitFor();
    await page.getByRole('table', { name: 'Studies found' }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Pull selected' }).click();
    await page
      .locator('#pacs-status')
      .getByText(/Pull finished: 1 of 1 series pulled from "orthanc"; 1 series in 1 study imported/)
      .waitFor({
        timeout: 60_000,
      });
    assert.equal(await page.getByLabel('Pull progress').getAttribute('max'), '12');
    await dialog.screenshot({ path: join(ARTIFACTS, 'pacs-dialog-pulled.png') });

    // Review through the API (the review UI has its own tests): confirm the model's finding, mark done.
    const uid = study.truth.seriesInstanceUid;
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      const list = await apiCall<WorklistPage>('GET', '/api/worklist');
      status = list.items.find((i) => i.seriesUid === uid)?.status ?? 'absent';
      if (status === 'flagged') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(status, 'flagged');
    const [finding] = await apiCall<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
    await apiCall('POST', `/api/findings/${finding!.id}/decision`, { kind: 'confirmed' });
    await apiCall('POST', `/api/series/${uid}/status`, { status: 'done' });

    await page.getByRole('button', { name: 'Close' }).last().click();
    await page.getByRole('button', { name: 'PACS…' }).click();
    await page.getByRole('button', { name: /^Push labels of / }).click();
    const results = page.getByRole('list', { name: 'Push results per object' });
    // The SEG and its measurement report (TID 1500 SR).
    await page.getByText(/2 of 2 object\(s\) stored on "orthanc"/).waitFor();
    assert.equal(await results.getByText(/^stored: [0-9.]+$/).count(), 2);
    await page.getByText('The retry queue is empty.').waitFor();
    await dialog.screenshot({ path: join(ARTIFACTS, 'pacs-dialog-pushed.png') });

    // The study now holds the SEG and SR too; pulling it again brings the images only (labels are not triaged),
    // and the instances already in the cache are not fetched again.
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'Studies found' }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Pull selected' }).click();
    await page
      .locator('#pacs-status')
      .getByText(/Pull finished: 1 of 1 series pulled from "orthanc"/)
      .waitFor({ timeout: 60_000 });
    assert.deepEqual(pageErrors, []);
    assert.ok(
      !readFileSync(join(work, 'app-data', 'pacs-servers.json'), 'utf8').includes(orthanc.password),
      'the settings hold no password',
    );
    assert.ok(!server.stderr().includes(orthanc.password), 'the server log holds no password');
  },
);
