import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredImages, reportComment } from '../../src/export/case-report.ts';

test('the report comment names the decision and the model, never a reader’s note', () => {
  const row = {
    studyInstanceUid: '1',
    seriesInstanceUid: '2',
    findingId: '7',
    decision: 'confirmed',
    reason: 'looks like Jane Doe’s scar',
    reader: 'Reader^Alice',
  };
  assert.equal(reportComment(row), 'confirmed');
  assert.equal(
    reportComment({ ...row, modelId: 'overread-nodule-2d5', modelVersion: '1.4.3', score: 0.97123 }),
    'confirmed; model overread-nodule-2d5 1.4.3, p 0.971',
  );
  assert.equal(reportComment({ ...row, decision: 'added' }), 'added');
});

test('the image library lists the source images of the slices the segments cover, in slice order', () => {
  const images = [0, 1, 2, 3, 4].map((k) => ({ sopClassUid: 'ct', sopInstanceUid: `sop${k}` }));
  // 2 × 2 slices: one mask on slices 3 and 1 (dense), one on slice 1 again (sparse).
  const dense = new Uint8Array(20);
  dense[3 * 4 + 2] = 1;
  dense[1 * 4] = 1;
  const listed = coveredImages([dense, { indices: Uint32Array.from([4 + 3]) }], images, 4);
  assert.deepEqual(
    listed.map((i) => i.sopInstanceUid),
    ['sop1', 'sop3'],
  );
});
