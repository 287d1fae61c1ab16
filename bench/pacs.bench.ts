// `npm run bench -- pacs [--slices 300] [--size 512] [--runs 3]`: retrieving one series from a local Orthanc
// (DICOMweb plugin, authentication on) with Overread's client, beside curl fetching the same WADO-RS URL with
// the same Accept header in the same run. Ours does more than curl: it lists the instances (QIDO), splits the
// multipart stream, and writes one flushed (fsync) and renamed file per instance, where curl writes one blob.
// Best of `runs` for each, alternating, each into a fresh folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printTable, type BenchRow } from './report.ts';
import { pydicomSeriesDir } from './pydicom-series.ts';
import { DicomwebClient } from '../src/pacs/dicomweb-client.ts';
import { retrieveSeries } from '../src/pacs/retrieve-series.ts';
import { readHeader } from '../src/dicom/index/index.ts';
import { startOrthanc } from '../tests/pacs/orthanc-server.ts';

const ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { slices: { type: 'string' }, size: { type: 'string' }, runs: { type: 'string' } },
  });
  const slices = Number(values.slices ?? 300);
  const size = Number(values.size ?? 512);
  const runs = Number(values.runs ?? 3);
  const source = pydicomSeriesDir(slices, size);
  const files = readdirSync(source)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => path.join(source, f));
  const header = readHeader(files[0]);
  const orthanc = await startOrthanc();
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-bench-pacs-'));
  try {
    let start = performance.now();
    await orthanc.upload(files);
    console.error(
      `uploaded ${files.length} instances in ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
    const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
    const client = new DicomwebClient(
      { name: 'bench', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
      { authorization },
    );
    const ref = { studyInstanceUid: header.studyInstanceUid, seriesInstanceUid: header.seriesInstanceUid };
    const url = `${orthanc.dicomWebUrl}/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}`;

    const ours: { seconds: number; bytes: number }[] = [];
    const curl: { seconds: number; bytes: number }[] = [];
    for (let n = 0; n < runs; n++) {
      const cache = path.join(work, `ours-${n}`);
      start = performance.now();
      const result = await retrieveSeries(client, ref, cache);
      ours.push({ seconds: (performance.now() - start) / 1000, bytes: result.bytes });
      if (result.fetched !== files.length) throw new Error(`fetched ${result.fetched} of ${files.length}`);
      if (n === 0) {
        // A figure only counts if the files are right: every instance byte-identical to its source.
        for (const file of files) {
          const sop = readHeader(file).sopInstanceUid;
          const got = readFileSync(path.join(result.folder, `${sop}.dcm`));
          if (!got.equals(readFileSync(file))) throw new Error(`${sop} differs from ${file}`);
        }
      }
      rmSync(cache, { recursive: true, force: true });

      const out = path.join(work, `curl-${n}.multipart`);
      start = performance.now();
      const fetched = spawnSync('curl', [
        '-sS',
        '--fail',
        '-u',
        `${orthanc.user}:${orthanc.password}`,
        '-H',
        `Accept: ${ACCEPT}`,
        '-o',
        out,
        url,
      ]);
      const seconds = (performance.now() - start) / 1000;
      if (fetched.status !== 0) throw new Error(`curl failed: ${fetched.stderr}`);
      curl.push({ seconds, bytes: statSync(out).size });
      rmSync(out);
    }
    const best = (list: { seconds: number; bytes: number }[]) =>
      list.reduce((a, b) => (a.bytes / a.seconds >= b.bytes / b.seconds ? a : b));
    const [o, c] = [best(ours), best(curl)];
    const rows: BenchRow[] = [
      {
        what: `WADO-RS series retrieve, ${size}×${size}×${slices} (${(o.bytes / 1e6).toFixed(0)} MB of instances)`,
        unit: 'MB/s',
        ours: o.bytes / 1e6 / o.seconds,
        reference: c.bytes / 1e6 / c.seconds,
        referenceName: 'curl, same URL (one multipart blob)',
        higherIsBetter: true,
      },
      {
        what: 'same, wall time',
        unit: 's',
        ours: o.seconds,
        reference: c.seconds,
        referenceName: 'curl',
        higherIsBetter: false,
      },
    ];
    printTable(`PACS pull (Orthanc ${orthanc.url}, best of ${runs})`, rows);
  } finally {
    await orthanc.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
