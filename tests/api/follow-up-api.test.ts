// A follow-up through the API on a synthetic pair written by the generator (`overread sample --follow-up`):
// the same patient scanned twice, shifted on the table, one nodule grown, one gone, two stable, one new. Each
// study's nodules are outlined by the reader slice by slice from the truth masks (as an annotator would), then
// /priors lists the baseline for the follow-up, and /follow-up (by default against it) lines the two up (checked against the shift the
// generator applied), pairs each nodule with its own past self and names its change, with the doubling time
// worked out from the measured volumes and the study dates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FindingInfo, FollowUp, Job, PriorSeries, SeriesInfo } from '../../src/shared/api-types.ts';
import { followUpLines } from '../../src/shared/follow-up-text.ts';
import { generateStudy, writeStudy, type SampleTruth } from '../../src/sample/index.ts';
import { importThrough, openTestApi, type TestApi } from './api-test-kit.ts';

let t: TestApi;
const seed = 'follow-up-api:5';
let baseline: SampleTruth;
let follow: SampleTruth;
/** Truth nodule id → finding id, per study. */
const findingOf = { baseline: new Map<number, string>(), follow: new Map<number, string>() };

/** Paints every truth nodule of `dir` as a reader-added finding, slice by slice. */
async function outline(dir: string, truth: SampleTruth, into: Map<number, string>): Promise<void> {
  const uid = truth.seriesInstanceUid;
  const info = await t.json<SeriesInfo>('GET', `/api/series/${uid}`);
  const [columns, rows, depth] = truth.geometry.size;
  const plane = columns * rows;
  const mask = gunzipSync(readFileSync(join(dir, truth.mask.file)));
  const toStoreK = (k: number) =>
    Math.round(
      (truth.slices[k].z - info.geometry.origin[2]) /
        (info.geometry.spacing[2] * info.geometry.direction[2][2]),
    );
  for (const nodule of truth.nodules) {
    let id: string | undefined;
    for (let k = 0; k < depth; k++) {
      const slice = new Uint8Array(plane);
      let any = false;
      for (let n = 0; n < plane; n++) {
        if (mask[k * plane + n] !== nodule.label) continue;
        slice[n] = 1;
        any = true;
      }
      if (!any) continue;
      if (!id) {
        const added = await t.json<FindingInfo>('POST', `/api/series/${uid}/findings`, {
          slice: toStoreK(k),
          maskBase64: Buffer.from(slice).toString('base64'),
        });
        id = String(added.id);
      } else {
        const response = await t.call('PUT', `/api/findings/${id}/mask/${toStoreK(k)}`, slice);
        assert.equal(response.status, 200, await response.text());
      }
    }
    into.set(nodule.id, id!);
  }
}

before(async () => {
  t = await openTestApi({ autoTriage: false });
  const studies = [
    generateStudy({ seed, size: 160, slices: 70, nodules: 4 }),
    generateStudy({ seed, size: 160, slices: 70, nodules: 4, followUp: {} }),
  ];
  const dirs = studies.map((study, n) => join(t.dir, `study-${n}`));
  studies.forEach((study, n) => writeStudy(study, dirs[n]));
  [baseline, follow] = dirs.map((dir) => JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')));
  await importThrough(t, dirs);
  await outline(dirs[0], baseline, findingOf.baseline);
  await outline(dirs[1], follow, findingOf.follow);
});

after(() => t?.close());

test('the pair is what this test relies on: same patient, a grown, a resolved, stable ones and a new one', () => {
  const fates = follow.followUp!.nodules.map((n) => n.fate);
  assert.deepEqual(fates, ['grown', 'resolved', 'stable', 'stable']);
  assert.equal(follow.followUp!.newNoduleIds.length, 1);
  assert.equal(follow.followUp!.baselineSeriesInstanceUid, baseline.seriesInstanceUid);
});

test('/priors lists the baseline for the follow-up (days before it) and the follow-up for the baseline', async () => {
  const { priors } = await t.json<{ priors: PriorSeries[] }>(
    'GET',
    `/api/series/${follow.seriesInstanceUid}/priors`,
  );
  assert.deepEqual(
    priors.map((p) => [p.seriesUid, p.daysBefore]),
    [[baseline.seriesInstanceUid, follow.followUp!.days]],
  );
  const back = await t.json<{ priors: PriorSeries[] }>(
    'GET',
    `/api/series/${baseline.seriesInstanceUid}/priors`,
  );
  assert.deepEqual(
    back.priors.map((p) => [p.seriesUid, p.daysBefore]),
    [[follow.seriesInstanceUid, -follow.followUp!.days]],
  );
});

test('/follow-up lines the scans up, pairs each nodule with its past self and names how it changed', async () => {
  const result = await t.json<FollowUp>(
    'GET',
    `/api/series/${follow.seriesInstanceUid}/follow-up?prior=${baseline.seriesInstanceUid}`,
  );
  // The generator moved the patient by shiftMm: a follow-up point minus the shift is the baseline's.
  const expected = follow.followUp!.shiftMm.map((v) => -v);
  result.registration.translationMm.forEach((v, axis) =>
    assert.ok(Math.abs(v - expected[axis]) < 1.5, `axis ${axis}: ${v} vs ${expected[axis]}`),
  );
  assert.equal(result.registration.uncertain, false);
  assert.ok(result.registration.correlation > 0.9, `${result.registration.correlation}`);

  const byCurrent = new Map(result.changes.filter((c) => c.current).map((c) => [c.current!, c]));
  const current = new Map(result.current.map((n) => [n.id, n]));
  const prior = new Map(result.priorNodules.map((n) => [n.id, n]));
  for (const fate of follow.followUp!.nodules) {
    const priorId = findingOf.baseline.get(fate.baselineId)!;
    if (fate.id === null) {
      assert.ok(
        result.changes.some((c) => c.prior === priorId && c.change === 'resolved'),
        `baseline nodule ${fate.baselineId} resolved`,
      );
      continue;
    }
    const change = byCurrent.get(findingOf.follow.get(fate.id)!)!;
    assert.equal(change.prior, priorId, `follow-up nodule ${fate.id} pairs with baseline ${fate.baselineId}`);
    assert.equal(change.change, fate.fate, `nodule ${fate.id}`);
    const ratio = current.get(change.current!)!.volumeMm3! / prior.get(priorId)!.volumeMm3!;
    assert.equal(change.volumeChangePercent, Math.round((ratio - 1) * 100));
    if (fate.fate === 'grown') {
      const days = follow.followUp!.days;
      assert.equal(change.doublingDays, Math.round((days * Math.LN2) / Math.log(ratio)));
      // The generator grew its diameter by diameterFactor: the volume by about its cube.
      assert.ok(
        Math.abs(ratio / fate.diameterFactor ** 3 - 1) < 0.25,
        `${ratio} vs ${fate.diameterFactor ** 3}`,
      );
    } else assert.equal(change.doublingDays, undefined);
  }
  for (const id of follow.followUp!.newNoduleIds)
    assert.equal(byCurrent.get(findingOf.follow.get(id)!)!.change, 'new');

  // The registration is kept (its own timing comes back unchanged: it was not run again).
  const second = await t.json<FollowUp>(
    'GET',
    `/api/series/${follow.seriesInstanceUid}/follow-up?prior=${baseline.seriesInstanceUid}`,
  );
  assert.deepEqual(second.registration, result.registration);

  // Without ?prior= it compares with the latest earlier study of the modality, as the worklist asks.
  const latest = await t.json<FollowUp>('GET', `/api/series/${follow.seriesInstanceUid}/follow-up`);
  assert.equal(latest.prior.seriesUid, baseline.seriesInstanceUid);
  assert.deepEqual(latest.changes, result.changes);
  // The baseline's only other study is later: nothing to compare with by default, and the answer says what to do.
  const none = await t.call('GET', `/api/series/${baseline.seriesInstanceUid}/follow-up`);
  assert.equal(none.status, 404);
  assert.match(
    (await none.json()).detail,
    /has no earlier study of the same patient and modality in the dataset .* pick one of \/api\/series\/.*\/priors as \?prior=$/,
  );
});

test("an export's findings table carries each nodule's change since the prior, de-identified too", async () => {
  const comparison = await t.json<FollowUp>(
    'GET',
    `/api/series/${follow.seriesInstanceUid}/follow-up?prior=${baseline.seriesInstanceUid}`,
  );
  const exported = async (deidentify: boolean) => {
    const outDir = join(t.dir, deidentify ? 'export-deidentified' : 'export');
    const job = await t.json<Job>('POST', '/api/export', {
      format: 'json',
      outDir,
      status: 'all',
      deidentify,
    });
    const last = await t.finish(job);
    assert.equal(last.state, 'done', last.message);
    return JSON.parse(readFileSync(join(outDir, 'findings.json'), 'utf8')).findings as Record<
      string,
      unknown
    >[];
  };
  const rows = await exported(false);
  const now = rows.filter((r) => r.series_instance_uid === follow.seriesInstanceUid);
  assert.deepEqual(now.map((r) => r.change_since_prior).sort(), ['grown', 'new', 'stable', 'stable']);
  for (const row of now) {
    const change = comparison.changes.find((c) => c.current === row.finding_id)!;
    assert.equal(row.change_since_prior, change.change);
    assert.equal(row.prior_finding_id, change.prior ?? null);
    assert.equal(row.prior_series_instance_uid, baseline.seriesInstanceUid);
    assert.equal(row.prior_interval_days, follow.followUp!.days);
    assert.equal(row.mean_diameter_change_mm, change.meanDiameterChangeMm ?? null);
    assert.equal(row.volume_change_pct, change.volumeChangePercent ?? null);
    assert.equal(row.volume_doubling_days, change.doublingDays ?? null);
    assert.equal(row.prior_alignment, 'good');
  }
  assert.equal(typeof now.find((r) => r.change_since_prior === 'grown')!.volume_doubling_days, 'number');
  // The baseline's only other study is later: nothing to compare it with.
  const then = rows.filter((r) => r.series_instance_uid === baseline.seriesInstanceUid);
  assert.equal(then.length, baseline.nodules.length);
  for (const row of then) assert.equal(row.change_since_prior, null);

  // De-identified, the prior's UID is mapped as its own rows' UIDs are: the pairing survives.
  const hidden = await exported(true);
  const grown = hidden.find((r) => r.change_since_prior === 'grown')!;
  assert.notEqual(grown.prior_series_instance_uid, baseline.seriesInstanceUid);
  const itsPast = hidden.find((r) => r.finding_id === grown.prior_finding_id)!;
  assert.equal(itsPast.series_instance_uid, grown.prior_series_instance_uid);
});

test('a rejected nodule drops out of the comparison; a series of another patient is refused', async () => {
  const newId = findingOf.follow.get(follow.followUp!.newNoduleIds[0])!;
  await t.json('POST', `/api/findings/${newId}/decision`, { kind: 'rejected', reason: 'vessel' });
  const result = await t.json<FollowUp>(
    'GET',
    `/api/series/${follow.seriesInstanceUid}/follow-up?prior=${baseline.seriesInstanceUid}`,
  );
  assert.ok(!result.current.some((n) => n.id === newId));
  assert.ok(!result.changes.some((c) => c.current === newId));

  const response = await t.call(
    'GET',
    `/api/series/${follow.seriesInstanceUid}/follow-up?prior=${follow.seriesInstanceUid}`,
  );
  assert.equal(response.status, 400);
  assert.match((await response.json()).detail, /not another study of this series' patient/);
  assert.equal(
    (await t.call('GET', `/api/series/${follow.seriesInstanceUid}/follow-up?prior=1.2.3`)).status,
    404,
  );
});

test("the follow-up's findings report ends with the change since the prior, in the comparison's words", async () => {
  const uid = follow.seriesInstanceUid;
  const report = await t.json<{ text: string }>('GET', `/api/series/${uid}/report`);
  const comparison = await t.json<FollowUp>(
    'GET',
    `/api/series/${uid}/follow-up?prior=${baseline.seriesInstanceUid}`,
  );
  const [summary, ...lines] = followUpLines(comparison);
  assert.ok(
    report.text.endsWith(`\n${summary}:\n${lines.map((line) => `  ${line}`).join('\n')}\n`),
    report.text,
  );
  assert.match(summary!, /^Since \d{4}-\d\d-\d\d \(\d+ days\): 1 grown, 1 not seen now, 2 stable$/);
  // The baseline's only other study is later: its report has no comparison.
  const first = await t.json<{ text: string }>('GET', `/api/series/${baseline.seriesInstanceUid}/report`);
  assert.ok(!first.text.includes('Since '), first.text);
});
