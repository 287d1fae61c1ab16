// The worklist's follow-up markers, scheduled against a stand-in for the API: comparisons are asked one at a
// time in the list's order, once per state of the two scans, never while the list is hidden or a scan is still
// being read by the model; an answer asked for before the reader changed is dropped; coming back from a
// patient's scans asks again while the last answer stays up; what the marker says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FollowUp, NoduleChange, WorklistItem } from '../../src/shared/api-types.ts';
import { WorklistFollowUps } from '../../renderer/worklist-follow-ups.ts';
import { item } from './finding-fixtures.ts';

/** A follow-up of `uid` whose changes are of the given kinds. */
function followUp(uid: string, kinds: NoduleChange['change'][]): FollowUp {
  return {
    seriesUid: uid,
    prior: {
      seriesUid: `${uid}.prior`,
      studyUid: '1.2',
      studyDate: '20240302',
      studyDescription: '',
      seriesDescription: '',
      modality: 'CT',
      instances: 100,
      status: 'done',
      daysBefore: 400,
    },
    registration: {
      translationMm: [0, 0, 0],
      correlation: 0.9,
      overlap: 0.9,
      cellMm: 4,
      uncertain: false,
      seconds: 1,
    },
    current: [],
    priorNodules: [],
    changes: kinds.map((change) => ({ change })),
    unmeasured: null,
  };
}

/** A stand-in for the API: records what was asked and answers when the test says. */
function fakeApi() {
  const asked: string[] = [];
  const waiting: { uid: string; answer: (f: FollowUp) => void }[] = [];
  return {
    asked,
    ask: (uid: string) =>
      new Promise<FollowUp>((answer) => {
        asked.push(uid);
        waiting.push({ uid, answer });
      }),
    /** Answers the oldest question, then lets the scheduler go on to the next. */
    async answer(kinds: NoduleChange['change'][]): Promise<string> {
      const next = waiting.shift()!;
      next.answer(followUp(next.uid, kinds));
      await new Promise((done) => setImmediate(done));
      return next.uid;
    },
  };
}

const follow = (uid: string, patch: Partial<WorklistItem> = {}) =>
  item(uid, { patientId: `P-${uid}`, studyDate: '20250101', priorStudyDate: '20240302', ...patch });

test('asked one at a time in the list order, once per state; the marker names what grew or is new', async () => {
  const api = fakeApi();
  const known: string[] = [];
  const markers = new WorklistFollowUps((uid) => known.push(uid), api.ask);
  const items = [follow('a'), item('b'), follow('c')];
  const render = () => {
    markers.beginRender();
    return items.map((i) => markers.marker(i, items));
  };
  const first = render();
  assert.equal(first[1], null, 'a series without a prior has no marker');
  assert.deepEqual(first[0], {
    text: '↺',
    title: 'follow-up: prior study 2024-03-02 in the dataset (S shows it side by side)',
    changed: false,
  });
  render(); // a render while the first is being asked asks nothing again
  assert.deepEqual(api.asked, ['a']);
  assert.equal(await api.answer(['grown', 'new', 'stable']), 'a');
  assert.deepEqual(api.asked, ['a', 'c']);
  await api.answer(['stable']);
  assert.deepEqual(known, ['a', 'c']);
  const shown = render();
  assert.equal(shown[0]!.text, '↺ 1 grown · 1 new');
  assert.equal(shown[0]!.changed, true);
  assert.match(
    shown[0]!.title,
    /^follow-up: prior study 2024-03-02 .*\nSince 2024-03-02 \(400 days\): 1 grown, 1 new, 1 stable/,
  );
  assert.deepEqual(shown[2], { ...shown[2], text: '↺ no growth', changed: false });
  assert.deepEqual(api.asked, ['a', 'c'], 'nothing changed: nothing asked');

  // A decision on c moves its count: asked again, the last answer shown meanwhile.
  items[2] = follow('c', { reviewedCount: 1 });
  assert.equal(render()[2]!.text, '↺ no growth');
  assert.deepEqual(api.asked, ['a', 'c', 'c']);
  await api.answer(['grown']);
  assert.equal(render()[2]!.text, '↺ 1 grown');
});

test('nothing is asked while the list is hidden or the model is still reading a scan', async () => {
  const api = fakeApi();
  const markers = new WorklistFollowUps(() => {}, api.ask);
  const items = [follow('a', { status: 'model-running' }), follow('b')];
  markers.pause();
  markers.beginRender();
  items.forEach((i) => markers.marker(i, items));
  assert.deepEqual(api.asked, []);
  markers.resume();
  assert.deepEqual(api.asked, ['b'], 'the running series waits for its run');
  // Its prior, in the list, still being read holds the comparison back too.
  const prior = follow('p', {
    patientId: 'P-b',
    studyDate: '20240302',
    priorStudyDate: null,
    status: 'model-running',
  });
  await api.answer([]);
  markers.beginRender();
  const list = [follow('b', { reviewedCount: 2 }), prior];
  list.forEach((i) => markers.marker(i, list));
  assert.deepEqual(api.asked, ['b']);
});

test("an answer asked for before the reader changed is dropped; a patient's series are asked again on return", async () => {
  const api = fakeApi();
  const markers = new WorklistFollowUps(() => {}, api.ask);
  const items = [follow('a'), follow('b')];
  markers.beginRender();
  items.forEach((i) => markers.marker(i, items));
  markers.clear(); // another reader while a was being asked
  await api.answer(['grown']);
  assert.equal(markers.marker(items[0]!, items)!.text, '↺', "the last reader's answer is not shown");
  // The page renders again for the new reader: a is asked anew, then b.
  markers.beginRender();
  items.forEach((i) => markers.marker(i, items));
  await api.answer(['new']);
  await api.answer(['stable']);
  assert.deepEqual(api.asked, ['a', 'a', 'b']);
  assert.equal(markers.marker(items[0]!, items)!.text, '↺ 1 new');
  // Back from patient a's scans (a mask may have changed, no count): a is asked again, its marker kept.
  markers.forgetPatient('P-a', items);
  markers.beginRender();
  assert.equal(markers.marker(items[0]!, items)!.text, '↺ 1 new');
  markers.marker(items[1]!, items);
  assert.deepEqual(api.asked, ['a', 'a', 'b', 'a']);
});
