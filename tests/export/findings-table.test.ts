// The findings table read back by Python's csv module (an independent RFC 4180 reader) and JSON.parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  FINDING_COLUMNS,
  findingsToCsv,
  findingsToJson,
  type FindingExportRow,
} from '../../src/export/findings-table.ts';
import { deidentifyFindingRows } from '../../src/export/deidentify-rows.ts';
import { Pseudonyms, UidRemapper } from '../../src/dicom/deidentify/uid-remapper.ts';

const rows: FindingExportRow[] = [
  {
    caseId: 'case_0001',
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.4',
    findingId: 'f1',
    modelId: 'lung-nodule-unet',
    modelVersion: '1.2.0',
    modelSha256: 'ab'.repeat(32),
    score: 0.912345,
    decision: 'corrected',
    reason: 'boundary too wide, "vessel" included,\nsee slice 40',
    reader: 'Dr. Smith',
    decidedAt: '2026-11-24T09:00:00.000Z',
    volumeMm3: 523.6,
    diameterMm: 10,
    centreLps: [-12.5, 30.25, -100],
  },
  {
    caseId: 'case_0001',
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.4',
    findingId: 'f2',
    decision: 'added',
    reason: '=HYPERLINK("http://evil")',
    reader: 'Dr. Smith',
  },
];

test('CSV survives quotes, commas, newlines; formulas are neutralised; Python csv reads it', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'overread-csv-')), 'findings.csv');
  writeFileSync(file, findingsToCsv(rows));
  const result = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline="")))))',
      file,
    ],
    { encoding: 'utf8' },
  );
  const parsed = JSON.parse(result.stdout) as Record<string, string>[];
  assert.equal(parsed.length, 2);
  assert.deepEqual(Object.keys(parsed[0]), [...FINDING_COLUMNS]);
  assert.equal(parsed[0].reason, rows[0].reason);
  assert.equal(parsed[0].score, '0.912345');
  assert.equal(parsed[0].centre_lps_x, '-12.5', 'negative numbers are not treated as formulas');
  assert.equal(parsed[1].reason, `'=HYPERLINK("http://evil")`);
  assert.equal(parsed[1].score, '');
});

test('JSON has the same columns with nulls for missing values', () => {
  const parsed = JSON.parse(findingsToJson(rows)) as { findings: Record<string, unknown>[] };
  assert.equal(parsed.findings[1].score, null);
  assert.equal(parsed.findings[0].diameter_mm, 10);
  assert.equal(parsed.findings[0].model_version, '1.2.0');
});

test('de-identified rows: UIDs remapped like the DICOM, readers pseudonymised, free text and dates dropped', () => {
  const uids = new UidRemapper(Buffer.alloc(32, 9));
  const out = deidentifyFindingRows(rows, uids, new Pseudonyms({ reader: 2 }));
  assert.equal(out[0].studyInstanceUid, uids.map('1.2.3'));
  assert.equal(out[0].seriesInstanceUid, uids.map('1.2.3.4'));
  assert.equal(out[0].reader, 'reader_01');
  assert.equal(out[1].reader, 'reader_01');
  assert.equal(out[0].reason, undefined);
  assert.equal(out[0].decidedAt, undefined);
  assert.doesNotMatch(findingsToCsv(out), /Smith|1\.2\.3\.4|HYPERLINK|2026-11-24/);
});
