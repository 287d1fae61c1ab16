// What a real archive rarely does on cue, from a small node:http DICOMweb server serving real sample DICOM:
// the connection cut in the middle of a multipart instance (whole instances before it kept, the torn one
// not, no temporary file left, the rerun fetching only the rest), an answer that is not multipart, a SOP
// Instance UID that would escape the cache folder, and a listed instance the server never sends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DicomwebClient } from '../../src/pacs/dicomweb-client.ts';
import { PacsError } from '../../src/pacs/pacs-error.ts';
import { retrieveSeries } from '../../src/pacs/retrieve-series.ts';
import { sampleStudy, type CachedSampleStudy } from '../helpers/sample-study.ts';

let study: CachedSampleStudy;
let server: Server;
let client: DicomwebClient;
let work: string;
let mode: 'cut' | 'good' | 'json' | 'hostile' | 'short' = 'good';
const requests: string[] = [];

function multipart(response: ServerResponse, bodies: Buffer[], cutAfter?: number) {
  const boundary = 'b0undary';
  response.writeHead(200, {
    'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
  });
  const chunks = bodies.map((body) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      body,
      Buffer.from('\r\n'),
    ]),
  );
  const whole = Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
  if (cutAfter === undefined) return response.end(whole);
  // Everything up to the middle of instance `cutAfter`, then the socket is destroyed.
  const upTo =
    chunks.slice(0, cutAfter).reduce((n, c) => n + c.length, 0) + Math.floor(chunks[cutAfter].length / 2);
  response.write(whole.subarray(0, upTo), () => setTimeout(() => response.socket?.destroy(), 20));
}

before(async () => {
  study = sampleStudy({ seed: 'pacs-broken', size: 64, slices: 5, nodules: 0 });
  work = mkdtempSync(join(tmpdir(), 'overread-pacs-broken-'));
  const sops = study.truth.slices.map((s) => s.sopInstanceUid);
  const bytes = new Map(
    study.truth.slices.map((s) => [s.sopInstanceUid, readFileSync(join(study.dir, s.file))]),
  );
  server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(url);
    if (url.startsWith('/moved')) {
      response.writeHead(301, { location: 'https://elsewhere.example/dicom-web/studies?x=1' });
      return response.end();
    }
    if (url.includes('/instances?')) {
      const listed =
        mode === 'hostile' ? ['../../../../tmp/evil'] : mode === 'short' ? [...sops, '1.2.3.999'] : sops;
      response.writeHead(200, { 'content-type': 'application/dicom+json' });
      return response.end(JSON.stringify(listed.map((sop) => ({ '00080018': { vr: 'UI', Value: [sop] } }))));
    }
    if (mode === 'json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{}');
    }
    const one = /\/instances\/([0-9.]+)$/.exec(url)?.[1];
    if (one) return multipart(response, [bytes.get(one)!]);
    return multipart(
      response,
      sops.map((sop) => bytes.get(sop)!),
      mode === 'cut' ? 2 : undefined,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  client = new DicomwebClient({
    name: 'fake',
    baseUrl: `http://127.0.0.1:${port}/dw`,
    auth: { type: 'none' },
  });
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

const ref = () => ({
  studyInstanceUid: study.truth.studyInstanceUid,
  seriesInstanceUid: study.truth.seriesInstanceUid,
});

test('a connection cut inside an instance: the whole ones are kept, the torn one is not, a rerun fetches the rest', async () => {
  const cache = join(work, 'cut');
  mode = 'cut';
  const error = await retrieveSeries(client, ref(), cache).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof PacsError, String(error));
  assert.equal(error.kind, 'interrupted');
  assert.match(
    error.message,
    /"fake".*closed the connection part-way through the retrieve.*2 of 5 instances are in/,
  );
  const folder = join(cache, ref().studyInstanceUid, ref().seriesInstanceUid);
  assert.deepEqual(
    readdirSync(folder).sort(),
    study.truth.slices
      .slice(0, 2)
      .map((s) => `${s.sopInstanceUid}.dcm`)
      .sort(),
  );

  mode = 'good';
  requests.length = 0;
  const result = await retrieveSeries(client, ref(), cache);
  assert.deepEqual([result.skipped, result.fetched], [2, 3]);
  assert.equal(requests.filter((u) => /\/instances\/[0-9.]+$/.test(u)).length, 3);
  for (const slice of study.truth.slices) {
    assert.ok(
      readFileSync(join(folder, `${slice.sopInstanceUid}.dcm`)).equals(
        readFileSync(join(study.dir, slice.file)),
      ),
    );
  }
});

test('an answer that is not multipart DICOM is a protocol error naming the server', async () => {
  mode = 'json';
  await assert.rejects(retrieveSeries(client, ref(), join(work, 'json')), (error: unknown) => {
    assert.ok(error instanceof PacsError && error.kind === 'protocol');
    assert.match(
      error.message,
      /"fake".*answered a retrieve with "application\/json", not multipart\/related DICOM/,
    );
    return true;
  });
});

test('a SOP Instance UID that is a path is refused before anything is written', async () => {
  mode = 'hostile';
  await assert.rejects(
    retrieveSeries(client, ref(), join(work, 'hostile')),
    /SOP Instance UID "..\/..\/..\/..\/tmp\/evil" is not a DICOM UID/,
  );
  assert.equal(existsSync('/tmp/evil.dcm'), false);
});

test('an instance listed but never sent is reported, and what came is kept', async () => {
  mode = 'short';
  const cache = join(work, 'short');
  await assert.rejects(
    retrieveSeries(client, ref(), cache),
    /listed 6 instances .* but 1 did not arrive — the 5 received are kept/,
  );
  assert.equal(readdirSync(join(cache, ref().studyInstanceUid, ref().seriesInstanceUid)).length, 5);
});

test('a redirect is not followed (the credentials would go along) and names where it points', async () => {
  const port = (server.address() as { port: number }).port;
  const moved = new DicomwebClient(
    { name: 'moved', baseUrl: `http://127.0.0.1:${port}/moved`, auth: { type: 'bearer' } },
    { authorization: 'Bearer secret-token' },
  );
  await assert.rejects(moved.testConnection(), (error: unknown) => {
    assert.ok(error instanceof PacsError && error.kind === 'config');
    assert.match(
      error.message,
      /"moved".*redirects to https:\/\/elsewhere\.example\/dicom-web\/studies \(HTTP 301\)/,
    );
    assert.ok(!error.message.includes('secret-token'));
    return true;
  });
});
