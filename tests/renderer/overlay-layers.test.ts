import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overlayLayers, type OverlayInput } from '../../renderer/overlay-layers.ts';
import { decided, finding } from './finding-fixtures.ts';

const mask = new Uint8Array(4).fill(1);

function input(patch: Partial<OverlayInput> = {}): OverlayInput {
  return {
    k: 12,
    rows: 2,
    columns: 2,
    probability: new Uint8Array([0, 100, 200, 255]),
    showProbability: false,
    previewThreshold: null,
    showFlags: true,
    visible: [
      finding(1),
      finding(2, { decision: decided('rejected') }),
      finding(3, { sliceRange: [20, 22] }),
    ],
    selected: null,
    painting: false,
    draft: null,
    generation: 4,
    mask: () => mask,
    ...patch,
  };
}

test('the findings on the slice are drawn, keyed by state, selection and fetch generation', () => {
  const keys = overlayLayers(input({ selected: finding(2) })).map((l) => l.key);
  assert.deepEqual(keys, ['mask:1:12:pending:false:4', 'mask:2:12:rejected:true:4']);
});

test('heat map under the threshold preview under the masks, the draft on top; hidden flags draw nothing', () => {
  const keys = overlayLayers(
    input({
      showProbability: true,
      previewThreshold: 0.3,
      showFlags: false,
      draft: { slice: 12, mask },
    }),
  ).map((l) => l.key);
  assert.deepEqual(keys, ['prob:12', 'what-if:12:0.3', 'draft']);
});

test('the preview outlines exactly the pixels at or above its threshold', () => {
  const [preview] = overlayLayers(input({ previewThreshold: 0.5, showFlags: false }));
  const alphas = Array.from({ length: 4 }, (_, i) => preview!.rgba()[i * 4 + 3]);
  assert.deepEqual(
    alphas.map((a) => a! > 0),
    [false, false, true, true],
  );
});

test('while painting, the selected finding is drawn even on a slice outside its range', () => {
  const off = finding(3, { sliceRange: [20, 22] });
  assert.deepEqual(overlayLayers(input({ selected: off, painting: false })).length, 2);
  const keys = overlayLayers(input({ selected: off, painting: true })).map((l) => l.key);
  assert.ok(keys.includes('mask:3:12:pending:true:4'));
  const unloaded = overlayLayers(input({ mask: () => undefined })).length;
  assert.equal(unloaded, 0, 'masks not fetched yet are not drawn');
});

test('under a thick slab a finding is drawn as the union of its masks on the slab’s slices, once all are fetched', () => {
  // Finding 3 spans slices 20–22; a slab over 16–21 covers its slices 20 and 21, each with one pixel set.
  const masks = new Map([
    ['3:20', Uint8Array.from([1, 0, 0, 0])],
    ['3:21', Uint8Array.from([0, 0, 0, 1])],
  ]);
  const slabInput = input({
    k: 18,
    visible: [finding(3, { sliceRange: [20, 22] }), finding(4, { sliceRange: [30, 31] })],
    slab: [16, 21],
    mask: (id, j) => masks.get(`${id}:${j}`),
  });
  const layers = overlayLayers(slabInput);
  assert.deepEqual(
    layers.map((l) => l.key),
    ['mask:3:20-21:pending:false:4'],
    'finding 4 lies outside the slab',
  );
  const filled = Array.from({ length: 4 }, (_, i) => layers[0]!.rgba()[i * 4 + 3]! > 0);
  assert.deepEqual(filled, [true, false, false, true]);
  // Slice 21's mask not fetched yet: nothing is drawn rather than half of it.
  masks.delete('3:21');
  assert.deepEqual(overlayLayers(slabInput), []);
  // Without the slab, slice 18 has no finding of its own.
  assert.deepEqual(overlayLayers({ ...slabInput, slab: null }), []);
});
