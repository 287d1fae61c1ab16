// The Export dialog's logic without a DOM: the folder it suggests, the request it sends, what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportRequest, suggestedFolder, type ExportFormValues } from '../../renderer/export-request.ts';
import { actionForKey } from '../../renderer/shortcuts.ts';

const base: ExportFormValues = {
  format: 'nnunet',
  outDir: '/data/exports/run-1/',
  status: 'done',
  reader: '  ',
  deidentify: false,
  writeKey: true,
  includeProposals: false,
};

test('the request: trimmed folder, no reader when blank, key file only with de-identification', () => {
  const plain = exportRequest(base);
  assert.deepEqual(plain, {
    request: {
      format: 'nnunet',
      outDir: '/data/exports/run-1',
      status: 'done',
      deidentify: false,
      includeProposals: false,
    },
  });
  const deidentified = exportRequest({ ...base, deidentify: true, reader: ' Reader^Bob ' });
  assert.ok('request' in deidentified);
  assert.equal(deidentified.request.keyFile, '/data/exports/run-1.pseudonym-key.json');
  assert.equal(deidentified.request.reader, 'Reader^Bob');
  const windows = exportRequest({ ...base, outDir: 'D:\\exports\\x\\' });
  assert.ok('request' in windows && windows.request.outDir === 'D:\\exports\\x');
});

test('a relative or empty folder is refused with what to do', () => {
  const relative = exportRequest({ ...base, outDir: 'exports/run' });
  assert.ok('error' in relative && /not a full path/.test(relative.error));
  const empty = exportRequest({ ...base, outDir: '   ' });
  assert.ok('error' in empty && /Choose the folder/.test(empty.error));
});

test('the suggested folder is new, inside the one picked, named by format and time', () => {
  const now = new Date(2026, 10, 26, 9, 5, 7);
  assert.equal(
    suggestedFolder('/home/ana/Exports/', 'dicom-seg', now),
    '/home/ana/Exports/overread-dicom-seg-20261126-090507',
  );
  assert.equal(suggestedFolder('C:\\Exports', 'csv', now), 'C:\\Exports\\overread-csv-20261126-090507');
});

test('Ctrl+E opens the export from the worklist', () => {
  assert.equal(actionForKey({ key: 'e', ctrlKey: true }, 'worklist'), 'export');
  assert.equal(actionForKey({ key: 'e' }, 'viewer'), 'eraser', 'plain E stays the eraser');
});
