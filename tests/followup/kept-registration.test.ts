// A follow-up's registration is kept in the dataset: a second FollowUpService on the same file (a restart)
// answers with the registration the first found — its own timing included, so it was not searched again —
// and importing either scan again drops it, so the next comparison searches anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { indexDicom, seriesGeometry } from '../../src/dicom/index/index.ts';
import { FollowUpService } from '../../src/followup/series-follow-up.ts';
import { followUpDataset } from '../e2e/follow-up-dataset.ts';

test('a registration found once is kept across restarts until a scan is imported again', async () => {
  const data = await followUpDataset();
  const store = openDataset(data.db);
  try {
    const [current, prior] = [data.follow.seriesInstanceUid, data.baseline.seriesInstanceUid];
    const method = 'translation-ncc-4mm-v1';
    assert.equal(store.registration(current, prior, method), undefined);
    const first = await new FollowUpService(store).compare(current, prior, null);
    const kept = store.registration(current, prior, method);
    assert.ok(kept, 'kept in the dataset');
    const { uncertain: _uncertain, ...found } = first.registration;
    assert.deepEqual(kept, found);
    // The generator moved the patient: a follow-up point minus its shift is the baseline's.
    kept.translationMm.forEach((v, axis) =>
      assert.ok(Math.abs(v + data.follow.followUp!.shiftMm[axis]!) < 1.5, `axis ${axis}: ${v}`),
    );

    // A restart: a new service answers from the dataset, the first search's seconds and all.
    const again = await new FollowUpService(store).compare(current, prior, null);
    assert.deepEqual(again.registration, first.registration);

    // The prior imported again (its slices may differ): the kept registration is gone, and found anew.
    const folder = path.join(path.dirname(data.db), 'baseline');
    const [indexed] = (await indexDicom([path.join(folder, 'dicom')])).studies;
    const geometries = new Map(indexed!.series.map((s) => [s.seriesInstanceUid, seriesGeometry(s)] as const));
    store.importStudy(indexed!, geometries);
    assert.equal(store.registration(current, prior, method), undefined);
    const fresh = await new FollowUpService(store).compare(current, prior, null);
    assert.deepEqual(fresh.registration.translationMm, first.registration.translationMm);
    assert.ok(store.registration(current, prior, method));
  } finally {
    store.close();
    rmSync(path.dirname(data.db), { recursive: true, force: true });
  }
});
