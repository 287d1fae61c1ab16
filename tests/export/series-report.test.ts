// The findings report of a series (GET /api/series/{uid}/report), on a dataset a reader reviewed: kept nodules
// with the same figures the CSV export writes, rejected ones with their reason, unreviewed ones listed, the
// viewer's numbering, and no patient name or id in the text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planDatasetExport } from '../../src/export/dataset-export.ts';
import { runExport } from '../../src/export/export-orchestrator.ts';
import { seriesReport } from '../../src/export/series-report.ts';
import { READER, reviewedDataset, type ReviewedDataset } from './helpers/reviewed-dataset.ts';

let data: ReviewedDataset;
let work: string;

before(async () => {
  data = await reviewedDataset();
  work = mkdtempSync(path.join(os.tmpdir(), 'overread-series-report-'));
});

after(() => {
  data.store.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(path.dirname(data.db), { recursive: true, force: true });
});

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const names = head!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])));
}

test('kept nodules carry the CSV export’s figures; rejected and unreviewed are listed by number', async () => {
  const uid = data.reviewed.truth.seriesInstanceUid;
  const report = (await seriesReport(data.store, uid, READER))!;
  assert.equal(report.unmeasured, null);
  assert.deepEqual([report.kept, report.rejected, report.pending], [3, 1, 0]);
  const text = report.text;
  for (const identity of [data.patient.name, data.patient.id, ...data.patient.name.split('^')])
    assert.ok(!text.includes(identity), `the report names the patient (${identity})`);
  assert.match(
    text,
    /^Overread findings — .*\(\d+ images\)\nReader: Reader\^Alice · model truth-nodule-model 1\.0\.0\n/,
  );
  assert.match(text, /Research use only — not for diagnosis\./);

  const out = path.join(work, 'csv');
  await runExport(planDatasetExport(data.store, { reader: READER }).series, { format: 'csv', outDir: out });
  const rows = parseCsv(readFileSync(path.join(out, 'findings.csv'), 'utf8'));
  const order = data.store.findings(uid, READER).map((f) => String(f.id));
  const one = (n: number) => n.toFixed(1);
  for (const row of rows) {
    const number = order.indexOf(row.finding_id!) + 1;
    assert.ok(number > 0);
    if (row.decision === 'rejected') {
      assert.match(text, new RegExp(`Rejected \\(1\\): #${number} vessel\\.`));
      continue;
    }
    const line = text.split('\n').find((l) => l.startsWith(`#${number} Nodule`));
    assert.ok(line, `no line for #${number}: ${text}`);
    const expected = [
      `axial ${one(Number(row.long_axis_mm))} × ${one(Number(row.short_axis_mm))} mm`,
      `3-D diameter ${one(Number(row.diameter_mm))} mm`,
      `volume ${Math.round(Number(row.volume_mm3)).toLocaleString('en-US')} mm³`,
      `mean ${Math.round(Number(row.mean_hu))} HU`.replace('-', '−'),
      `${Math.round(Number(row.solid_fraction) * 100)}% of voxels ≥ −300 HU`,
      row.decision === 'added'
        ? '— added by the reader.'
        : `— ${row.decision} (model p ${Number(row.score).toFixed(2)}).`,
    ];
    for (const fragment of expected) assert.ok(line.includes(fragment), `"${fragment}" not in: ${line}`);
  }
});

test('an unreviewed series lists its proposals as not yet reviewed; an unknown series has no report', async () => {
  const uid = data.unreviewed.truth.seriesInstanceUid;
  const report = (await seriesReport(data.store, uid, READER))!;
  assert.equal(report.kept, 0);
  assert.ok(report.pending > 0);
  assert.match(report.text, /No nodule kept\./);
  assert.match(report.text, new RegExp(`Not yet reviewed \\(${report.pending}\\): #1`));
  assert.equal(await seriesReport(data.store, '1.2.3.4.5', READER), undefined);
});
