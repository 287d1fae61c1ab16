// Logs carry no patient names or ids. The patient name and id are read from the sample study's DICOM with
// dcmtk's dcmdump (the truth, independent of our parser); a truncated copy of one file (its header, with the
// name, intact) is added so error paths run too. Then index, triage, export (plain and de-identified), audit
// and `overread serve` with ordinary and bad API requests run as child processes, and neither the name, its
// components nor the id may appear in what they print — except the listings the user asked for: `index`
// prints the study tree and `triage` the worklist, both identifying by design, so there only stderr (progress,
// warnings, errors) is checked, and the listing itself must show the id (which proves the search can hit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FindingInfo, Job } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import { serve } from './crash-serve.ts';

const execFileAsync = promisify(execFile);

/** PatientName and PatientID of a file as dcmdump prints them. */
function patientOf(file: string): { name: string; id: string } {
  const out = execFileSync('dcmdump', ['+P', '0010,0010', '+P', '0010,0020', file], { encoding: 'utf8' });
  const value = (tag: string) => out.match(new RegExp(`\\(${tag}\\) \\w\\w \\[([^\\]]*)\\]`))?.[1] ?? '';
  return { name: value('0010,0010'), id: value('0010,0020') };
}

test(
  'no patient name or id in the logs of the CLI and of overread serve',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-logs-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const study = sampleStudy({ seed: 'logs-patient', size: 64, slices: 12 });
    const uid = study.truth.seriesInstanceUid;
    const { name, id } = patientOf(study.files[0]!);
    assert.ok(name.length >= 3 && id.length >= 3, `dcmdump found no patient in ${study.files[0]}`);
    // The full name, each name component long enough not to occur by chance, and the id.
    const secrets = [name, id, ...name.split(/[\^= ]/).filter((part) => part.length >= 4)];

    const root = join(dir, 'study');
    cpSync(study.dir, root, { recursive: true });
    writeFileSync(join(root, 'truncated.dcm'), readFileSync(study.files[0]!).subarray(0, 1200));
    writeFileSync(join(root, 'notes.txt'), 'not DICOM');
    const models = join(dir, 'models');
    installTestModel(models, { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'logs-model' });
    const db = join(dir, 'overread.db');

    const printed: { what: string; text: string }[] = [];
    const cli = async (what: string, args: string[], check: 'stderr' | 'both' = 'both') => {
      const { stdout, stderr } = await execFileAsync(process.execPath, ['bin/overread.js', ...args], {
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: { stdout: string; stderr: string; code: number }) => {
        if (what.endsWith('(fails)')) return error;
        throw new Error(`${what} failed: ${error.stderr}`);
      });
      printed.push({ what: `${what} stderr`, text: stderr });
      if (check === 'both') printed.push({ what: `${what} stdout`, text: stdout });
      return { stdout, stderr };
    };

    const index = await cli('index', ['index', root], 'stderr');
    assert.ok(index.stdout.includes(id), 'the study tree names the patient (the search can hit)');
    assert.match(index.stdout, /1 error/, 'the truncated file is reported');
    const triage = await cli(
      'triage',
      ['triage', root, '--models', models, '--db', db, '--json', join(dir, 't.json')],
      'stderr',
    );
    assert.ok(triage.stdout.includes(id), 'the worklist names the patient');
    await cli('index (fails)', ['index', join(dir, 'missing-folder'), '--json']);

    const server = await serve(db, ['--models', models, '--reader', 'logs-reader']);
    t.after(() => server.kill());
    const findings = await server.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
    const statuses: number[] = [];
    for (const [method, path, body] of [
      ['GET', `/api/worklist?q=${encodeURIComponent(name)}`],
      ['GET', `/api/worklist?limit=-5&q=${encodeURIComponent(id)}`],
      ['GET', `/api/series/${uid}/slices/999`],
      ['GET', `/api/series/9.9.9/slices/0`],
      ['POST', `/api/findings/${findings[0]!.id}/decision`, { kind: 'rejected', note: name }],
      [
        'POST',
        `/api/findings/${findings[0]!.id}/decision`,
        { kind: 'rejected', reason: 'vessel', note: `${name} ${id}` },
      ],
      ['POST', '/api/import', { paths: ['relative/folder'] }],
      ['POST', '/api/import', { paths: [root] }],
      ['POST', `/api/series/${uid}/run-model`],
      ['POST', '/api/session/reader', { name: '' }],
      ['POST', '/api/export', { format: 'csv', outDir: 'relative' }],
      ['POST', `/api/series/${uid}/status`, { status: 'done' }],
      ['PUT', `/api/findings/${findings[0]!.id}/mask/0`, new Uint8Array(7)],
    ] as [string, string, unknown?][]) {
      const response = await server.call(method, path, body);
      const text = await response.text();
      statuses.push(response.status);
      if (response.status === 202) {
        const job = JSON.parse(text) as Job;
        await server.follow(job.id);
      }
    }
    const unauthorised = await fetch(`${server.origin}/api/worklist?q=${encodeURIComponent(name)}`);
    statuses.push(unauthorised.status);
    assert.ok(
      statuses.filter((s) => s >= 400).length >= 7,
      `bad requests were refused: ${statuses.join(' ')}`,
    );
    await server.stop();
    printed.push({ what: 'serve stdout+stderr', text: server.output() });

    await cli('export nnunet', [
      'export',
      '--db',
      db,
      '--format',
      'nnunet',
      '--out',
      join(dir, 'out-nnunet'),
    ]);
    await cli('export csv', [
      'export',
      '--db',
      db,
      '--format',
      'csv',
      '--status',
      'all',
      '--out',
      join(dir, 'out-csv'),
    ]);
    await cli('export seg', [
      'export',
      '--db',
      db,
      '--format',
      'dicom-seg',
      '--deidentify',
      '--key-file',
      join(dir, 'key.json'),
      '--out',
      join(dir, 'out-seg'),
    ]);
    await cli('export (fails)', ['export', '--db', db, '--format', 'csv', '--out', join(dir, 'out-csv')]);
    await cli('audit', ['audit', 'verify', '--db', db]);
    await cli('audit --json', ['audit', 'verify', '--db', db, '--json']);

    assert.ok(
      printed.some((p) => p.what === 'serve stdout+stderr' && p.text.length > 0),
      'serve printed something',
    );
    for (const { what, text } of printed) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${what} carries "${secret}":\n${text}`);
      }
    }
  },
);
