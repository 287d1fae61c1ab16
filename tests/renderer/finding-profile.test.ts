import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingProfile, sliceAxes } from '../../src/shared/finding-profile.ts';
import { formatProfile } from '../../renderer/profile-text.ts';

const rows = 64;
const columns = 64;

/** A filled ellipse with semi-axes a (columns) and b (rows) in pixels, centred, rotated by `angle`. */
function ellipse(a: number, b: number, angle = 0): Uint8Array {
  const mask = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) {
      const x = c + 0.5 - 32;
      const y = r + 0.5 - 32;
      const u = x * Math.cos(angle) + y * Math.sin(angle);
      const v = -x * Math.sin(angle) + y * Math.cos(angle);
      if ((u / a) ** 2 + (v / b) ** 2 <= 1) mask[r * columns + c] = 1;
    }
  return mask;
}

test('the long and short axes of an ellipse are its diameters, at any angle and pixel spacing', () => {
  for (const angle of [0, Math.PI / 6, Math.PI / 4, 1.2]) {
    const { longMm, shortMm } = sliceAxes(ellipse(12, 5, angle), {
      rows,
      columns,
      pixelSpacingMm: [0.5, 0.5],
    });
    // Measured over pixel corners, so up to about one pixel (0.5 mm) per side beyond the true outline.
    assert.ok(longMm >= 12 - 0.5 && longMm <= 12 + 1.2, `long ${longMm} at ${angle}`);
    assert.ok(shortMm >= 5 - 0.5 && shortMm <= 5 + 1.2, `short ${shortMm} at ${angle}`);
  }
  // Rows 1 mm apart, columns 0.5: an ellipse 20 px wide and 10 px high is 10 × 10 mm.
  const squashed = sliceAxes(ellipse(10, 5), { rows, columns, pixelSpacingMm: [1, 0.5] });
  assert.ok(
    Math.abs(squashed.longMm - 10) <= 1.2 && Math.abs(squashed.shortMm - 10) <= 1.2,
    JSON.stringify(squashed),
  );
  // A 6 × 2 pixel bar: the long axis is its diagonal (the largest distance across), the short one across it.
  const bar = new Uint8Array(rows * columns);
  for (let r = 10; r < 12; r++) for (let c = 10; c < 16; c++) bar[r * columns + c] = 1;
  const axes = sliceAxes(bar, { rows, columns, pixelSpacingMm: [1, 1] });
  assert.equal(axes.longMm, Math.hypot(6, 2));
  assert.ok(axes.shortMm > 1.5 && axes.shortMm < 2.6, `short ${axes.shortMm}`);
  assert.deepEqual(sliceAxes(new Uint8Array(rows * columns), { rows, columns, pixelSpacingMm: [1, 1] }), {
    longMm: 0,
    shortMm: 0,
  });
});

test('density: mean, spread and solid share of the masked voxels in modality values; axes on the largest slice', () => {
  const geometry = { rows, columns, pixelSpacingMm: [1, 1] as [number, number] };
  const small = ellipse(3, 3);
  const large = ellipse(8, 6);
  const masks = new Map([
    [4, small],
    [5, large],
  ]);
  // Slice 4: −650 inside (ground glass); slice 5 stored as (HU + 1024) with intercept −1024: 40 inside.
  const slice4 = Int16Array.from(small, (m) => (m ? -650 : -850));
  const slice5 = Uint16Array.from(large, (m) => (m ? 40 + 1024 : 0));
  const values = new Map([
    [4, { data: slice4, slope: 1, intercept: 0 }],
    [5, { data: slice5, slope: 1, intercept: -1024 }],
  ]);
  const profile = findingProfile(masks, (k) => values.get(k), geometry)!;
  const n4 = small.reduce((a, b) => a + b, 0);
  const n5 = large.reduce((a, b) => a + b, 0);
  const mean = (n4 * -650 + n5 * 40) / (n4 + n5);
  assert.equal(profile.voxels, n4 + n5);
  assert.ok(Math.abs(profile.mean - mean) < 1e-9);
  const variance = (n4 * (-650 - mean) ** 2 + n5 * (40 - mean) ** 2) / (n4 + n5);
  assert.ok(Math.abs(profile.sd - Math.sqrt(variance)) < 1e-6);
  assert.equal(profile.solidFraction, n5 / (n4 + n5));
  assert.equal(profile.axes.slice, 5);
  assert.ok(Math.abs(profile.axes.longMm - 16) <= 1.2);
  assert.match(
    formatProfile(profile, 'CT'),
    /^axial 1\d\.\d × 1\d\.\d mm on slice 6 · mean −\d+ HU ± \d+ · \d+% ≥ −300 HU$/,
  );
  assert.doesNotMatch(formatProfile(profile, 'MR'), /HU/);
  // A covered slice not loaded, or an empty mask: no profile.
  assert.equal(
    findingProfile(masks, (k) => (k === 5 ? undefined : values.get(k)), geometry),
    null,
  );
  assert.equal(
    findingProfile(new Map([[1, new Uint8Array(rows * columns)]]), () => undefined, geometry),
    null,
  );
});
