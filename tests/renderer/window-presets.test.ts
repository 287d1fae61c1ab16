import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dragWindowLevel,
  formatWindowLevel,
  presetForKey,
  WINDOW_PRESETS,
} from '../../renderer/window-presets.ts';

test('keys 1–5 give the standard CT windows', () => {
  assert.deepEqual(
    WINDOW_PRESETS.map((p) => [p.key, p.name, p.width, p.center]),
    [
      ['1', 'Lung', 1500, -600],
      ['2', 'Mediastinum', 350, 50],
      ['3', 'Bone', 2000, 300],
      ['4', 'Brain', 80, 40],
      ['5', 'Abdomen', 400, 50],
    ],
  );
  assert.equal(presetForKey('1')?.center, -600);
  assert.equal(presetForKey('6'), undefined);
});

test('dragging right widens the window and dragging down raises the level, scaled by width', () => {
  const lung = { width: 1500, center: -600 };
  const wider = dragWindowLevel(lung, 10, 0);
  assert.ok(wider.width > lung.width);
  assert.equal(wider.center, lung.center);
  const lower = dragWindowLevel(lung, 0, -10);
  assert.ok(lower.center < lung.center);
  // a narrow brain window moves by single units, not by tens
  const brain = dragWindowLevel({ width: 80, center: 40 }, 5, 0);
  assert.equal(brain.width, 85);
});

test('the window width never reaches zero or below', () => {
  assert.equal(dragWindowLevel({ width: 40, center: 0 }, -1000, 0).width, 1);
});

test('W/L is shown rounded', () => {
  assert.equal(formatWindowLevel({ width: 1500.4, center: -600.6 }), 'W 1500 L -601');
});
