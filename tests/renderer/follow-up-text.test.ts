// The follow-up's wording (shared by the "Since prior" box and the findings report) on a hand-built
// comparison: the summary counts what calls for action first, each line gives numbers here and then, mean
// axial diameter then → now, signed volume change and doubling time; the prior box's labels; the worklist's
// few words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FollowUp, TrackedNodule } from '../../src/shared/api-types.ts';
import { followUpBrief, followUpLines } from '../../src/shared/follow-up-text.ts';
import { priorLabel, registrationText, unbroken } from '../../renderer/prior-panel.ts';

const nodule = (id: string, number: number, meanDiameterMm: number): TrackedNodule => ({
  id,
  number,
  decision: 'pending',
  centreLps: [0, 0, 0],
  sliceRange: [0, 0],
  meanDiameterMm,
});

const prior = {
  seriesUid: '1.2.3',
  studyUid: '1.2',
  studyDate: '20240302',
  studyDescription: 'CT CHEST',
  seriesDescription: 'Lung 1 mm',
  modality: 'CT',
  instances: 300,
  status: 'done',
  daysBefore: 412,
};

const followUp: FollowUp = {
  seriesUid: '1.2.4',
  prior,
  registration: {
    translationMm: [4.2, -11.6, 30.4],
    correlation: 0.412,
    overlap: 0.9,
    cellMm: 4,
    uncertain: true,
    seconds: 1,
  },
  current: [nodule('10', 1, 6.04), nodule('11', 2, 12.4), nodule('12', 3, 4)],
  priorNodules: [nodule('20', 1, 6.1), nodule('21', 2, 9.5), nodule('22', 3, 7.25)],
  changes: [
    {
      change: 'stable',
      current: '10',
      prior: '20',
      distanceMm: 1,
      meanDiameterChangeMm: -0.1,
      volumeChangePercent: 0,
    },
    {
      change: 'grown',
      current: '11',
      prior: '21',
      distanceMm: 2,
      meanDiameterChangeMm: 2.9,
      volumeChangePercent: 98,
      doublingDays: 415,
    },
    { change: 'new', current: '12' },
    { change: 'resolved', prior: '22' },
  ],
  unmeasured: null,
};

test('the summary puts growth first; each line reads then → now', () => {
  assert.deepEqual(followUpLines(followUp), [
    'Since 2024-03-02 (412 days): 1 grown, 1 new, 1 not seen now, 1 stable',
    '#1 stable: 6.1 → 6.0 mm, volume ±0 % (prior #1)',
    '#2 grown: 9.5 → 12.4 mm, volume +98 %, doubling time 415 days (prior #2)',
    '#3 (4.0 mm): new',
    'prior #3 (7.3 mm): not seen now',
  ]);
  assert.equal(
    followUpLines({
      ...followUp,
      current: [],
      priorNodules: [],
      changes: [],
      prior: { ...prior, daysBefore: null, studyDate: '' },
    })[0],
    'Since the prior (date unknown): no nodule in either scan',
  );
});

test("the prior box's option and registration lines", () => {
  assert.equal(priorLabel(prior), '2024-03-02 · CT CHEST · 412 days earlier');
  assert.equal(priorLabel({ ...prior, daysBefore: null, studyDescription: '' }), '2024-03-02 · Lung 1 mm');
  assert.equal(
    registrationText(followUp),
    'Lined up by a shift of 4, -12, 30 mm (match 0.41) — poorly: check each pair.',
  );
});

test('in the panel a figure keeps its unit on its line; the words around are left to wrap', () => {
  const line = '#1 grown: 22.5 → 26.4 mm, volume +63 %, doubling time 471 days (prior #1)';
  assert.equal(
    unbroken(line),
    '#1 grown: 22.5 → 26.4\u00a0mm, volume +63\u00a0%, doubling time 471\u00a0days (prior #1)',
  );
  assert.equal(unbroken('#2 (8.6 mm): new'), '#2 (8.6\u00a0mm): new');
});

test("the worklist's brief names what grew or is new, else says there is no growth", () => {
  assert.deepEqual(followUpBrief(followUp), { text: '1 grown · 1 new', changed: true });
  const calm = followUp.changes.filter((c) => c.change === 'stable' || c.change === 'resolved');
  assert.deepEqual(followUpBrief({ ...followUp, changes: calm }), { text: 'no growth', changed: false });
  assert.deepEqual(
    followUpBrief({ ...followUp, changes: [...calm, { change: 'outside-prior', current: '12' }] }),
    { text: "1 outside the prior's scan", changed: false },
  );
  assert.deepEqual(
    followUpBrief({
      ...followUp,
      changes: [
        { change: 'new', current: '12' },
        { change: 'new', current: '13' },
      ],
    }),
    { text: '2 new', changed: true },
  );
  assert.deepEqual(followUpBrief({ ...followUp, changes: [] }), { text: 'no nodules', changed: false });
});
