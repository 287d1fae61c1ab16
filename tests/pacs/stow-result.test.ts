// The per-object reading of STOW-RS answers: stored, warning, failed with its reason, an object the server
// does not mention (failed: never assumed stored), and whole-request failures with and without a body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stowOutcomes } from '../../src/pacs/stow-result.ts';

const objects = ['1.1', '1.2', '1.3', '1.4'].map((sop) => ({
  sopInstanceUid: sop,
  sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4',
}));
const item = (sop: string, extra: Record<string, { vr: string; Value: unknown[] }> = {}) => ({
  '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.66.4'] },
  '00081155': { vr: 'UI', Value: [sop] },
  ...extra,
});

test('a 202 answer: one stored, one with a warning, one failed with its reason, one not mentioned', () => {
  const outcomes = stowOutcomes(
    objects,
    {
      status: 202,
      body: {
        '00081199': {
          vr: 'SQ',
          Value: [item('1.1'), item('1.2', { '00081196': { vr: 'US', Value: [0xb000] } })],
        },
        '00081198': { vr: 'SQ', Value: [item('1.3', { '00081197': { vr: 'US', Value: [0xa700] } })] },
      },
    },
    'server "x"',
  );
  assert.deepEqual(
    outcomes.map((o) => [o.sopInstanceUid, o.status, o.reason]),
    [
      ['1.1', 'stored', undefined],
      ['1.2', 'warning', 'coercion of data elements (B000H)'],
      ['1.3', 'failed', 'out of resources (A700H)'],
      ['1.4', 'failed', 'server "x" answered HTTP 202 without confirming this object'],
    ],
  );
});

test('a 409 lists failures; a 500 with a text body fails every object with that text', () => {
  const conflict = stowOutcomes(
    objects.slice(0, 1),
    {
      status: 409,
      body: { '00081198': { vr: 'SQ', Value: [item('1.1', { '00081197': { vr: 'US', Value: [0x0122] } })] } },
    },
    's',
  );
  assert.deepEqual(
    conflict.map((o) => [o.status, o.reason]),
    [['failed', 'SOP class not supported (0122H)']],
  );
  const broken = stowOutcomes(objects.slice(0, 2), { status: 500, text: 'database is locked' }, 'server "x"');
  assert.deepEqual(
    broken.map((o) => o.reason),
    ['server "x" answered HTTP 500: database is locked', 'server "x" answered HTTP 500: database is locked'],
  );
  assert.ok(broken.every((o) => o.status === 'failed'));
});

test('a 200 that confirms everything is all stored', () => {
  const outcomes = stowOutcomes(
    objects.slice(0, 2),
    { status: 200, body: { '00081199': { vr: 'SQ', Value: [item('1.1'), item('1.2')] } } },
    's',
  );
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['stored', 'stored'],
  );
});
