// A reader's review through the API handler, on a sample study after a real model run (a tiny ONNX network
// in the model process): findings, probability map, confirm/reject, a corrected mask slice, an added finding,
// undo/redo, status, a second reader, and the refusals (bad ids 404, bad bodies 400, oversized masks 413).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type {
  DecisionInfo,
  FindingInfo,
  Job,
  SeriesInfo,
  SessionInfo,
  UndoResult,
  WorklistPage,
} from '../../src/shared/api-types.ts';
import { guardServe, newToken } from '../../src/api/serve-guard.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import { importThrough, openTestApi, type TestApi } from './api-test-kit.ts';

let t: TestApi;
let uid: string;
let series: SeriesInfo;
let findings: FindingInfo[];
let modelJob: Job;

before(async () => {
  const study = sampleStudy({ seed: 'api-review', size: 96, slices: 16, nodules: 3 });
  const probe = await openTestApi({ autoTriage: false });
  const modelsDir = join(probe.dir, 'models');
  await probe.close();
  // probability = sigmoid(6 − 12·x), x = HU windowed [−1000, 400] → [0, 1]: air below about −300 HU, so the
  // air around the patient and each lung come out as separate findings.
  installTestModel(modelsDir, { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'api-test-model' });
  t = await openTestApi({ userModels: modelsDir });
  uid = study.truth.seriesInstanceUid;
  await importThrough(t, [study.dir]);
  // The import queued the model; asking again hands back the same queued job.
  modelJob = await t.finish(await t.json<Job>('POST', `/api/series/${uid}/run-model`));
  series = await t.json<SeriesInfo>('GET', `/api/series/${uid}`);
  findings = await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
});

after(() => t?.close());

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const ones = (mask: Uint8Array) => mask.reduce((sum, v) => sum + v, 0);

async function bytesOf(path: string): Promise<Uint8Array> {
  const response = await t.call('GET', path);
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function problem(response: Response, status: number, detail: RegExp): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /problem\+json/);
  assert.match(JSON.parse(text).detail, detail);
}

test('the model run on import flags the series and its findings are listed', async () => {
  assert.equal(modelJob.state, 'done', modelJob.message);
  assert.equal(modelJob.kind, 'model');
  assert.ok(findings.length >= 2, `expected findings, got ${findings.length}: ${modelJob.message}`);
  for (const finding of findings) {
    assert.equal(finding.source, 'model');
    assert.ok(finding.score! >= 0.5 && finding.score! <= 1);
    assert.ok(finding.sliceRange[0] <= finding.focusSlice && finding.focusSlice <= finding.sliceRange[1]);
    assert.equal(finding.decision, null);
  }
  assert.equal(series.status, 'flagged');
  assert.equal(series.hasProbabilityMap, true);
  const session = await t.json<SessionInfo>('GET', '/api/session');
  assert.equal(session.model?.id, 'api-test-model');
  assert.equal(session.model?.threshold, 0.5);
  assert.equal(session.reader, 'reader-a');
  assert.equal(session.sampleAvailable, false);
  const page = await t.json<WorklistPage>('GET', '/api/worklist');
  assert.equal(page.items[0]!.findingCount, findings.length);
  assert.ok(page.items[0]!.score! >= findings[0]!.score! - 1e-9);
});

test('the probability map of a slice is rows × columns bytes, high where a finding is', async () => {
  const finding = findings[0]!;
  const map = await bytesOf(`/api/series/${uid}/probability/${finding.focusSlice}`);
  assert.equal(map.length, series.rows * series.columns);
  const [i, j] = finding.focusPoint;
  assert.ok(map[i + j * series.columns]! >= 128, 'the focus voxel is at or above the threshold');
});

test('the probability map cut along a row or column (through a slab) is each slice’s values there, the highest', async () => {
  const finding = findings[0]!;
  const [i, j] = finding.focusPoint;
  const [top, bottom] = [Math.max(0, j - 1), Math.min(series.rows - 1, j + 1)]; // a three-row slab around it
  const slices = await Promise.all(
    Array.from({ length: series.slices }, (_, k) => bytesOf(`/api/series/${uid}/probability/${k}`)),
  );
  const rowCut = await t.call(
    'GET',
    `/api/series/${uid}/probability-plane?axis=row&first=${top}&last=${bottom}`,
  );
  assert.equal(rowCut.status, 200, await rowCut.clone().text());
  assert.equal(rowCut.headers.get('x-slices'), String(series.slices));
  assert.equal(rowCut.headers.get('x-width'), String(series.columns));
  const row = new Uint8Array(await rowCut.arrayBuffer());
  const column = await bytesOf(`/api/series/${uid}/probability-plane?axis=column&first=${i}&last=${i}`);
  assert.equal(row.length, series.slices * series.columns);
  assert.equal(column.length, series.slices * series.rows);
  for (let k = 0; k < series.slices; k++) {
    const map = slices[k]!;
    for (let x = 0; x < series.columns; x++) {
      let expected = 0;
      for (let y = top; y <= bottom; y++) expected = Math.max(expected, map[x + y * series.columns]!);
      assert.equal(row[k * series.columns + x], expected, `row cut, slice ${k}, column ${x}`);
    }
    for (let y = 0; y < series.rows; y++) {
      assert.equal(
        column[k * series.rows + y],
        map[i + y * series.columns],
        `column cut, slice ${k}, row ${y}`,
      );
    }
  }
  assert.ok(row[finding.focusSlice * series.columns + i]! >= 128, 'the finding shows on its plane');
  await problem(
    await t.call('GET', `/api/series/${uid}/probability-plane?axis=row&first=3&last=${series.rows}`),
    400,
    /not within the series' \d+ image rows/,
  );
});

test('confirm and reject (with a reason) are stored for this reader; a rejection without reason is 400', async () => {
  const [first, second] = findings;
  const confirmed = await t.json<DecisionInfo>('POST', `/api/findings/${first!.id}/decision`, {
    kind: 'confirmed',
  });
  assert.equal(confirmed.kind, 'confirmed');
  assert.equal(confirmed.reader, 'reader-a');

  await problem(
    await t.call('POST', `/api/findings/${second!.id}/decision`, { kind: 'rejected' }),
    400,
    /reason: a rejection needs a reason/,
  );
  await problem(
    await t.call('POST', `/api/findings/${second!.id}/decision`, { kind: 'rejected', reason: 'nope' }),
    400,
    /reason/,
  );
  await problem(
    await t.call('POST', `/api/findings/${second!.id}/decision`, '{"kind": "confirmed"'),
    400,
    /JSON/,
  );
  const rejected = await t.json<DecisionInfo>('POST', `/api/findings/${second!.id}/decision`, {
    kind: 'rejected',
    reason: 'vessel',
    note: 'runs into the hilum',
  });
  assert.deepEqual(
    [rejected.kind, rejected.reason, rejected.note],
    ['rejected', 'vessel', 'runs into the hilum'],
  );

  const listed = await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
  assert.equal(listed.find((f) => f.id === first!.id)!.decision?.kind, 'confirmed');
  assert.equal(listed.find((f) => f.id === second!.id)!.decision?.reason, 'vessel');
});

test('a corrected mask slice round-trips; the proposal is kept beside it', async () => {
  const finding = findings[0]!;
  const k = finding.focusSlice;
  const proposal = await bytesOf(`/api/findings/${finding.id}/mask/${k}?kind=proposal`);
  assert.equal(proposal.length, series.rows * series.columns);
  assert.ok(ones(proposal) > 0, 'the proposal covers its focus slice');

  const corrected = proposal.slice();
  for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) corrected[i + j * series.columns] = 1;
  const put = await t.call('PUT', `/api/findings/${finding.id}/mask/${k}`, corrected);
  assert.equal(put.status, 200, await put.clone().text());
  assert.equal(((await put.json()) as DecisionInfo).kind, 'corrected');

  assert.deepEqual(await bytesOf(`/api/findings/${finding.id}/mask/${k}`), corrected);
  assert.deepEqual(await bytesOf(`/api/findings/${finding.id}/mask/${k}?kind=proposal`), proposal);
});

test('a mask of the wrong size, with values other than 0/1, or too large is refused', async () => {
  const id = findings[0]!.id;
  const k = findings[0]!.focusSlice;
  await problem(
    await t.call('PUT', `/api/findings/${id}/mask/${k}`, new Uint8Array(10)),
    400,
    new RegExp(`has 10 bytes; series .* needs ${series.rows} × ${series.columns}`),
  );
  const twos = new Uint8Array(series.rows * series.columns).fill(2);
  await problem(await t.call('PUT', `/api/findings/${id}/mask/${k}`, twos), 400, /0 or 1/);
  await problem(
    await t.call('PUT', `/api/findings/${id}/mask/${k}`, new Uint8Array(4096 * 4096 + 1)),
    413,
    /at most/,
  );
});

test('a finding the model missed is added, undone and redone', async () => {
  const k = 2;
  const mask = new Uint8Array(series.rows * series.columns);
  for (let j = 10; j < 16; j++) for (let i = 10; i < 16; i++) mask[i + j * series.columns] = 1;
  const response = await t.call('POST', `/api/series/${uid}/findings`, {
    slice: k,
    maskBase64: base64(mask),
  });
  assert.equal(response.status, 201, await response.clone().text());
  const added = (await response.json()) as FindingInfo;
  assert.equal(added.source, 'reader');
  assert.equal(added.decision?.kind, 'added');
  assert.deepEqual(added.sliceRange, [k, k]);
  assert.deepEqual(await bytesOf(`/api/findings/${added.id}/mask/${k}`), mask);
  const count = async () => (await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`)).length;
  assert.equal(await count(), findings.length + 1);

  const undone = await t.json<UndoResult>('POST', `/api/series/${uid}/undo`);
  assert.equal(undone.applied, true);
  assert.equal(await count(), findings.length);
  const redone = await t.json<UndoResult>('POST', `/api/series/${uid}/redo`);
  assert.equal(redone.applied, true);
  assert.equal(await count(), findings.length + 1);

  await problem(
    await t.call('POST', `/api/series/${uid}/findings`, { slice: k, maskBase64: base64(new Uint8Array(7)) }),
    400,
    /7 bytes/,
  );
  await problem(
    await t.call('POST', `/api/series/${uid}/findings`, { slice: 999, maskBase64: base64(mask) }),
    404,
    /no slice 999/,
  );
});

test('fill-slices interpolates between painted slices; with nothing between them it is a 409 saying what to do', async () => {
  const k = 5;
  const mask = new Uint8Array(series.rows * series.columns);
  for (let j = 40; j < 48; j++) for (let i = 40; i < 48; i++) mask[i + j * series.columns] = 1;
  const added = await t.json<FindingInfo>('POST', `/api/series/${uid}/findings`, {
    slice: k,
    maskBase64: base64(mask),
  });
  await problem(
    await t.call('POST', `/api/findings/${added.id}/fill-slices`),
    409,
    /painted on 1 slice; paint its first and last slices/,
  );
  assert.equal((await t.call('PUT', `/api/findings/${added.id}/mask/${k + 3}`, mask)).status, 200);
  const fill = await t.json<{ filled: number[]; decision: DecisionInfo }>(
    'POST',
    `/api/findings/${added.id}/fill-slices`,
  );
  assert.deepEqual(fill.filled, [k + 1, k + 2]);
  assert.equal(fill.decision.kind, 'added');
  for (const slice of fill.filled)
    assert.deepEqual(await bytesOf(`/api/findings/${added.id}/mask/${slice}`), mask);
  const listed = (await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`)).find(
    (f) => f.id === added.id,
  );
  assert.deepEqual(listed?.sliceRange, [k, k + 3]);
  await problem(await t.call('POST', '/api/findings/999999/fill-slices'), 404, /finding 999999/);
  // Leave the series as the later tests expect it: the fill, the painted slice and the addition undone.
  for (let i = 0; i < 3; i++)
    assert.equal((await t.json<UndoResult>('POST', `/api/series/${uid}/undo`)).applied, true);
});

test('plane-mask paints a row of several slices as one undoable action; bad edits are 400 problems', async () => {
  const finding = findings[0]!;
  const [first, last] = finding.sliceRange;
  const row = finding.focusPoint[1];
  const firstSlice = Math.max(0, first - 1);
  const count = Math.min(series.slices - 1, last + 1) - firstSlice + 1;
  // Erase the finding along its focus row on every slice of its range and one beyond at each end.
  const lines = new Uint8Array(count * series.columns);
  const before = await Promise.all(
    Array.from({ length: count }, (_, s) => bytesOf(`/api/findings/${finding.id}/mask/${firstSlice + s}`)),
  );
  const touched = before
    .map((mask, s) =>
      mask.subarray(row * series.columns, (row + 1) * series.columns).includes(1) ? firstSlice + s : -1,
    )
    .filter((k) => k >= 0);
  assert.ok(touched.length > 0, 'the focus row crosses the finding');
  const painted = await t.json<{ changed: number[]; decision: DecisionInfo | null }>(
    'PUT',
    `/api/findings/${finding.id}/plane-mask`,
    { axis: 'row', index: row, firstSlice, linesBase64: base64(lines) },
  );
  assert.deepEqual(painted.changed, touched);
  assert.equal(painted.decision?.kind, 'corrected');
  for (let s = 0; s < count; s++) {
    const mask = await bytesOf(`/api/findings/${finding.id}/mask/${firstSlice + s}`);
    const expected = before[s]!.slice();
    expected.fill(0, row * series.columns, (row + 1) * series.columns);
    assert.deepEqual(mask, expected, `slice ${firstSlice + s}`);
  }
  const undone = await t.json<UndoResult>('POST', `/api/series/${uid}/undo`);
  assert.match(
    undone.description ?? '',
    new RegExp(`paint ${touched.length} slices? of finding ${finding.id}`),
  );
  for (let s = 0; s < count; s++)
    assert.deepEqual(await bytesOf(`/api/findings/${finding.id}/mask/${firstSlice + s}`), before[s]);

  const edit = { axis: 'row', index: row, firstSlice, linesBase64: base64(lines) };
  const put = (body: unknown) => t.call('PUT', `/api/findings/${finding.id}/plane-mask`, body);
  await problem(
    await put({ ...edit, index: series.rows }),
    400,
    new RegExp(`image row ${series.rows} is outside`),
  );
  await problem(await put({ ...edit, axis: 'diagonal' }), 400, /axis/);
  await problem(await put({ ...edit, linesBase64: base64(new Uint8Array(7)) }), 400, /7 bytes/);
  await problem(await put({ ...edit, firstSlice: series.slices }), 400, /outside series/);
  await problem(await put({ ...edit, extra: 1 }), 400, /extra/);
  await problem(await t.call('PUT', '/api/findings/999999/plane-mask', edit), 404, /finding 999999/);
});

test('status: in review, then done, shown in the worklist; a bad status is 400', async () => {
  await t.json('POST', `/api/series/${uid}/status`, { status: 'in-review' });
  const done = await t.json<{ status: string }>('POST', `/api/series/${uid}/status`, { status: 'done' });
  assert.equal(done.status, 'done');
  const page = await t.json<WorklistPage>('GET', '/api/worklist?status=done');
  assert.deepEqual(
    page.items.map((i) => i.seriesUid),
    [uid],
  );
  await problem(await t.call('POST', `/api/series/${uid}/status`, { status: 'flagged' }), 400, /status/);
});

test('a second reader sees no decisions of the first and records their own', async () => {
  const session = await t.json<SessionInfo>('POST', '/api/session/reader', { name: 'reader-b' });
  assert.equal(session.reader, 'reader-b');
  assert.deepEqual(session.readers, ['reader-a', 'reader-b']);
  const blind = await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings?blind=true`);
  assert.ok(blind.filter((f) => f.source === 'model').every((f) => f.decision === null));
  await t.json('POST', `/api/findings/${findings[0]!.id}/decision`, { kind: 'rejected', reason: 'scar' });
  const agreement = await t.json<{ findings: { findingId: number; agree: boolean }[] }>(
    'GET',
    `/api/series/${uid}/agreement?a=reader-a&b=reader-b`,
  );
  assert.equal(agreement.findings.find((f) => f.findingId === findings[0]!.id)?.agree, false);
  // Comparing second reads: reader-b erases a finding on one slice; reader-a's outline there is still asked
  // for by name (the proposal, which reader-a left alone), and reader-b's own by default.
  const other = findings[1]!;
  const k = other.focusSlice;
  const proposal = await bytesOf(`/api/findings/${other.id}/mask/${k}?kind=proposal`);
  assert.ok(ones(proposal) > 0);
  const erased = new Uint8Array(series.rows * series.columns);
  assert.equal((await t.call('PUT', `/api/findings/${other.id}/mask/${k}`, erased)).status, 200);
  assert.equal(ones(await bytesOf(`/api/findings/${other.id}/mask/${k}`)), 0);
  assert.deepEqual(await bytesOf(`/api/findings/${other.id}/mask/${k}?reader=reader-a`), proposal);
  assert.equal(ones(await bytesOf(`/api/findings/${other.id}/mask/${k}?reader=reader-b`)), 0);
  await problem(await t.call('GET', `/api/findings/${other.id}/mask/${k}?reader=nobody`), 404, /nobody/);
  assert.equal((await t.json<UndoResult>('POST', `/api/series/${uid}/undo`)).applied, true);
  await problem(await t.call('POST', '/api/session/reader', { name: '  ' }), 400, /empty/);
  await t.json('POST', '/api/session/reader', { name: 'reader-a' });
});

test('ids that do not exist are 404 problems naming them', async () => {
  await problem(
    await t.call('POST', '/api/findings/999999/decision', { kind: 'confirmed' }),
    404,
    /finding 999999 does not exist/,
  );
  await problem(await t.call('GET', '/api/findings/999999/mask/0'), 404, /finding 999999/);
  await problem(
    await t.call('GET', `/api/findings/${findings[0]!.id}/mask/${series.slices}`),
    404,
    /no slice/,
  );
  await problem(await t.call('POST', '/api/series/1.2.3/undo'), 404, /series 1\.2\.3 does not exist/);
  await problem(await t.call('POST', '/api/series/1.2.3/run-model'), 404, /series 1\.2\.3/);
  await problem(
    await t.call('GET', '/api/jobs/00000000-0000-4000-8000-000000000000/events'),
    404,
    /job .* does not exist/,
  );
  await problem(await t.call('GET', '/api/findings/abc/mask/0'), 400, /URL/);
});

test('behind the serve guard, a request without the token is 401 and with it reaches the API', async () => {
  const token = newToken();
  const guarded = guardServe(t.api.fetch, { token, port: 4000 });
  const request = (headers: Record<string, string>) =>
    guarded(
      new Request('http://127.0.0.1:4000/api/session', { headers: { host: '127.0.0.1:4000', ...headers } }),
    );
  await problem(await request({}), 401, /token/);
  const ok = await request({ authorization: `Bearer ${token}` });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as SessionInfo).reader, 'reader-a');
});
