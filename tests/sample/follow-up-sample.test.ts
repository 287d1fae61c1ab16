// `overread sample --follow-up`: beside each study, the same patient scanned again later — checked in the
// DICOM dcmtk reads (same Patient ID and name, a later Study Date, a new study, series and frame of
// reference), in the truth (nodule centres moved by the recorded shift, volumes following each fate, the
// stack cropped as recorded), and the baseline byte-identical to the study written without --follow-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateStudy, type SampleTruth } from '../../src/sample/index.ts';

const bin = fileURLToPath(new URL('../../bin/overread.js', import.meta.url));

function tags(file: string): Record<string, string> {
  const out = execFileSync(
    'dcmdump',
    ['+P', '0010,0010', '+P', '0010,0020', '+P', '0008,0020', '+P', '0020,000d', '+P', '0020,0052', file],
    {
      encoding: 'utf8',
    },
  );
  return Object.fromEntries(
    [...out.matchAll(/^\((\w{4},\w{4})\) \w\w \[([^\]]*)\]/gm)].map((m) => [m[1], m[2]]),
  );
}

test('overread sample --follow-up writes each study and its follow-up of the same patient', () => {
  const root = mkdtempSync(join(tmpdir(), 'overread-follow-up-'));
  try {
    const args = ['sample', root, '--size', '48', '--slices', '30', '--seed', 'fu-cli', '--nodules', '3'];
    const result = spawnSync(process.execPath, [bin, ...args, '--follow-up', '--interval-days', '400'], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(root).sort(), ['study-001', 'study-001-follow-up']);
    const first = (dir: string) => join(root, dir, 'dicom', readdirSync(join(root, dir, 'dicom')).sort()[0]);
    const [before, after] = ['study-001', 'study-001-follow-up'].map((dir) => tags(first(dir)));
    assert.equal(after['0010,0020'], before['0010,0020']);
    assert.equal(after['0010,0010'], before['0010,0010']);
    for (const tag of ['0020,000d', '0020,0052']) assert.notEqual(after[tag], before[tag]);
    const date = (text: string) => Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6));
    assert.equal((date(after['0008,0020']) - date(before['0008,0020'])) / 864e5, 400);
    const truth = JSON.parse(
      readFileSync(join(root, 'study-001-follow-up', 'truth.json'), 'utf8'),
    ) as SampleTruth;
    const baseTruth = JSON.parse(readFileSync(join(root, 'study-001', 'truth.json'), 'utf8')) as SampleTruth;
    assert.equal(truth.followUp!.days, 400);
    assert.equal(truth.followUp!.baselineStudyInstanceUid, baseTruth.studyInstanceUid);

    const alone = mkdtempSync(join(tmpdir(), 'overread-follow-up-alone-'));
    try {
      assert.equal(
        spawnSync(process.execPath, [bin, ...args.slice(0, 1), alone, ...args.slice(2)]).status,
        0,
      );
      for (const name of readdirSync(join(alone, 'study-001', 'dicom')))
        assert.ok(
          readFileSync(join(alone, 'study-001', 'dicom', name)).equals(
            readFileSync(join(root, 'study-001', 'dicom', name)),
          ),
          `${name} differs from the study written alone`,
        );
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the follow-up truth: nodules moved by the shift, volumes following their fates, the stack cropped', () => {
  for (const seed of ['fu-truth:2', 'fu-truth:5']) {
    const base = generateStudy({ seed, size: 160, slices: 70, nodules: 4 });
    const next = generateStudy({ seed, size: 160, slices: 70, nodules: 4, followUp: {} });
    const plan = next.followUp!;
    const [below, above] = plan.croppedSlices;
    assert.equal(next.geometry.size[2], 70 - below - above);
    assert.ok(
      Math.abs(
        next.geometry.origin[2] -
          (base.geometry.origin[2] + plan.shiftMm[2] + below * base.geometry.spacing[2]),
      ) < 1e-3,
    );
    // The same voxels, cropped, outside any nodule: the anatomy did not move against the grid (noise aside).
    const plane = 160 * 160;
    let sum = 0;
    let count = 0;
    for (let n = 0; n < plane * next.geometry.size[2]; n += 97) {
      if (next.mask[n] || base.mask[n + below * plane]) continue;
      sum += Math.abs(next.hu[n] - base.hu[n + below * plane]);
      count++;
    }
    assert.ok(sum / count < 40, `mean |ΔHU| ${sum / count}`);
    for (const fate of plan.nodules) {
      const was = base.nodules[fate.baselineId - 1];
      if (fate.id === null) continue;
      const now = next.nodules[fate.id - 1];
      now.centre.forEach((v, axis) =>
        assert.ok(Math.abs(v - (was.centre[axis] + plan.shiftMm[axis])) < 1e-2),
      );
      const ratio = now.voxelCount / was.voxelCount;
      if (fate.fate === 'grown') assert.ok(ratio > 1.4, `${seed} grown ×${ratio}`);
      if (fate.fate === 'shrunk') assert.ok(ratio < 0.6, `${seed} shrunk ×${ratio}`);
      if (fate.fate === 'stable') assert.ok(Math.abs(ratio - 1) < 0.1, `${seed} stable ×${ratio}`);
    }
    assert.equal(
      next.nodules.length,
      plan.nodules.filter((n) => n.id !== null).length + plan.newNoduleIds.length,
    );
  }
});
