import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportComment } from '../../src/export/case-report.ts';

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
