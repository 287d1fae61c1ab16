import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  filterWorklist,
  formatScore,
  formatWaiting,
  nextToRead,
  progressText,
  worklistProgress,
} from '../../renderer/worklist-filter.ts';
import { item } from './finding-fixtures.ts';

const items = [
  item('a', { patientName: 'Doe^Jane', status: 'flagged', score: 0.9 }),
  item('b', { patientName: 'Roe^Rich', seriesDescription: 'Abdomen 5mm', status: 'done', score: 0.4 }),
  item('c', { patientName: 'Poe^Ed', patientId: 'X-77', status: 'no-findings', score: 0.1 }),
  item('d', {
    patientName: 'Moe^Al',
    status: 'outside-scope',
    scopeWarnings: ['MR'],
    modality: 'MR',
    score: null,
  }),
];
const uids = (list: { seriesUid: string }[]) => list.map((i) => i.seriesUid);

test('"all" with no text keeps every series in the API order', () => {
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: '' })), ['a', 'b', 'c', 'd']);
});

test('"to read" hides done series; a status filter keeps only that status', () => {
  assert.deepEqual(uids(filterWorklist(items, { status: 'to-read', text: '' })), ['a', 'c', 'd']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'done', text: '' })), ['b']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'outside-scope', text: '' })), ['d']);
});

test('text matches name, id, accession, descriptions, modality and status, every word, any case', () => {
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'roe' })), ['b']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'a-c' })), ['c']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'x-77' })), ['c']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'ABDOMEN' })), ['b']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'mr' })), ['d']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'flagged doe' })), ['a']);
  assert.deepEqual(uids(filterWorklist(items, { status: 'all', text: 'doe roe' })), []);
  assert.deepEqual(uids(filterWorklist(items, { status: 'to-read', text: '  ' })), ['a', 'c', 'd']);
});

test('D opens the next series not done below, else the first not done above', () => {
  assert.equal(nextToRead(items, 'a')?.seriesUid, 'c');
  assert.equal(nextToRead(items, 'c')?.seriesUid, 'd');
  assert.equal(nextToRead(items, 'd')?.seriesUid, 'a');
  assert.equal(nextToRead([item('z', { status: 'done' })], 'z'), null);
});

test('scores show as percentages, a dash before the model ran; near the ends rounding claims no certainty', () => {
  assert.equal(formatScore(0.873), '87%');
  assert.equal(formatScore(null), '—');
  assert.equal(formatScore(0.99999), '>99.9%');
  assert.equal(formatScore(0.9972), '99.7%');
  assert.equal(formatScore(0.994), '99%');
  assert.equal(formatScore(1), '>99.9%');
  assert.equal(formatScore(0.003), '<1%');
  assert.equal(formatScore(0), '0%');
  assert.equal(formatScore(0.005), '1%');
});

test('waiting time reads in minutes, hours, then days', () => {
  const now = new Date('2026-01-02T12:00:00Z');
  assert.equal(formatWaiting('2026-01-02T11:55:00Z', now), '5 min');
  assert.equal(formatWaiting('2026-01-02T09:00:00Z', now), '3 h');
  assert.equal(formatWaiting('2025-12-29T12:00:00Z', now), '4 d');
  assert.equal(formatWaiting('not a date', now), '—');
});

test('progress counts the done series and the findings this reader decided, over the whole worklist', () => {
  const counted = [
    item('a', { status: 'done', findingCount: 3, reviewedCount: 3 }),
    item('b', { status: 'in-review', findingCount: 4, reviewedCount: 1 }),
    item('c', { status: 'no-findings', findingCount: 0, reviewedCount: 0 }),
  ];
  const progress = worklistProgress(counted);
  assert.deepEqual(progress, { series: 3, done: 1, findings: 7, decided: 4 });
  assert.equal(progressText(progress), '1 of 3 series done · 4 of 7 findings decided');
  assert.equal(progressText(worklistProgress([counted[2]!])), '0 of 1 series done');
  assert.equal(progressText(worklistProgress([])), '0 of 0 series done');
});
