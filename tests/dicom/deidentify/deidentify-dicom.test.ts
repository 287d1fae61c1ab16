// De-identification diffed attribute by attribute against PS3.15 Table E.1-1, read back with dcmtk's dcmdump
// (not our own reader): every listed attribute in the PHI-rich source got one of the actions its code allows,
// private tags are gone, the preamble is zero, and references (SOP, Frame of Reference, Study) still resolve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import profile from '../../../src/dicom/deidentify/confidentiality-profile.json' with { type: 'json' };
import { deidentifyDicom } from '../../../src/dicom/deidentify/deidentify-dicom.ts';
import { UidRemapper } from '../../../src/dicom/deidentify/uid-remapper.ts';
import { makeSeries } from '../../export/helpers/load-series.ts';

interface DumpedElement {
  path: string;
  tag: string;
  vr: string;
  value: string;
}

/** dcmdump's text as flat elements with their sequence path ("0040,0275/0008,1110/0010,0010"). */
function dcmdump(file: string, includeMeta = false): DumpedElement[] {
  const result = spawnSync('dcmdump', ['+L', '-q', file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const stack: string[] = [];
  const out: DumpedElement[] = [];
  let inDataset = includeMeta;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('# Dicom-Data-Set')) inDataset = true;
    const match = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) (.*?)\s+#/.exec(line);
    if (!inDataset || !match) continue;
    const [, indent, group, element, vr, rest] = match;
    const depth = indent.length / 2;
    if (group === 'fffe') continue;
    const level = Math.floor(depth / 2); // items add one indent level, elements inside another
    stack.length = level;
    const tag = `${group}${element}`.toUpperCase();
    stack.push(tag);
    const value = rest.startsWith('[') ? rest.slice(1, rest.lastIndexOf(']')) : rest;
    out.push({ path: stack.join('/'), tag, vr, value: value.includes('no value available') ? '' : value });
  }
  return out;
}

const table = new Map(
  (profile as { id: string; basicProfile: string }[])
    .filter((row) => /^[0-9a-f]{8}$/i.test(row.id))
    .map((row) => [row.id.toUpperCase(), row.basicProfile]),
);

test('PHI-rich CT series: every Table E.1-1 attribute got its action, checked with dcmdump', () => {
  const series = makeSeries({ orientation: 'axial', order: 'ascending', slices: 3, phi: true, seed: 7 });
  const uids = new UidRemapper();
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'overread-deid-'));
  const outputs = series.files.map((file, index) => {
    const result = deidentifyDicom(file.path, new Uint8Array(readFileSync(file.path)), {
      uids,
      replacements: { '00100010': 'case_0001', '00100020': 'case_0001' },
    });
    const out = path.join(outDir, `out${index}.dcm`);
    writeFileSync(out, result.bytes);
    return { source: file.path, out };
  });

  let checked = 0;
  const outSops = new Set<string>();
  for (const { source, out } of outputs) {
    const before = dcmdump(source);
    const after = new Map(dcmdump(out).map((e) => [e.path, e]));
    assert.ok(
      before.some((e) => Number.parseInt(e.tag.slice(0, 4), 16) % 2 === 1),
      'fixture has private tags',
    );
    for (const element of before) {
      const code = table.get(element.tag);
      const now = after.get(element.path);
      if (Number.parseInt(element.tag.slice(0, 4), 16) % 2 === 1) {
        assert.equal(now, undefined, `private ${element.path} removed`);
        continue;
      }
      if (!code) continue;
      const parent = element.path.split('/').slice(0, -1).join('/');
      if (parent && !after.has(parent)) continue; // the whole enclosing sequence was removed
      const allowed = code.replace('*', '').split('/');
      const outcome = !now
        ? 'X'
        : element.vr === 'SQ'
          ? 'kept-sequence'
          : now.value === ''
            ? 'Z'
            : element.vr === 'UI' && now.value !== element.value && now.value.startsWith('2.25.')
              ? 'U'
              : now.value !== element.value || element.value === ''
                ? 'D'
                : 'unchanged';
      const ok =
        allowed.includes(outcome) ||
        // Z allows a dummy (or pseudonym) value instead of an empty one (PS3.15 E.1.1).
        (outcome === 'D' && allowed.includes('Z')) ||
        (outcome === 'kept-sequence' && code === 'X/Z/U*');
      assert.ok(ok, `${element.path} (${code}): ${outcome} — "${element.value}" → "${now?.value}"`);
      checked++;
    }
    for (const element of after.values()) {
      assert.ok(
        Number.parseInt(element.tag.slice(0, 4), 16) % 2 === 0,
        `no private tag left: ${element.path}`,
      );
      for (const phi of ['Jane', 'Doe', 'MRN-0012345', 'ACC987654', 'Elsewhere', 'House', 'OLD-777', 'Elm']) {
        assert.ok(!element.value.includes(phi), `${element.path} still holds "${phi}"`);
      }
    }
    const get = (p: string) => after.get(p)?.value;
    assert.equal(get('00120062'), 'YES');
    assert.match(get('00120063') ?? '', /Basic Application Confidentiality Profile/);
    assert.ok((get('00120063') ?? '').length <= 64, 'LO fits 64 characters');
    assert.equal(get('00120064/00080100'), '113100');
    assert.equal(get('00120064/00080102'), 'DCM');
    // The image references itself through Source Image Sequence: the remapped reference must still resolve.
    assert.equal(get('00082112/00081155'), get('00080018'));
    assert.equal(
      dcmdump(out, true).find((e) => e.tag === '00020003')?.value,
      get('00080018'),
      'meta SOP UID',
    );
    outSops.add(get('00080018') ?? '');
    const bytes = readFileSync(out);
    assert.ok(
      bytes.subarray(0, 128).every((b) => b === 0),
      'preamble zeroed',
    );
    assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM');
  }
  assert.ok(checked > 30, `checked ${checked} attributes`);
  assert.equal(outSops.size, outputs.length, 'distinct SOP Instance UIDs stay distinct');
  const study = new Set(outputs.map(({ out }) => dcmdump(out).find((e) => e.path === '0020000D')?.value));
  const frame = new Set(outputs.map(({ out }) => dcmdump(out).find((e) => e.path === '00200052')?.value));
  assert.equal(study.size, 1, 'one study after remapping');
  assert.equal(frame.size, 1, 'one frame of reference after remapping');
  assert.notEqual([...frame][0], series.frameOfReference);

  // Pixel data unchanged, read by pydicom.
  const same = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys,pydicom; a,b=pydicom.dcmread(sys.argv[1]),pydicom.dcmread(sys.argv[2]); print(int((a.pixel_array==b.pixel_array).all()))',
      outputs[0].source,
      outputs[0].out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(same.stdout.trim(), '1', same.stderr);
});

test('the same source UID maps to the same new UID within one key, and differently under another', () => {
  const a = new UidRemapper(Buffer.alloc(32, 1));
  const b = new UidRemapper(Buffer.alloc(32, 2));
  const uid = '1.2.826.0.1.3680043.8.498.1';
  assert.equal(a.map(uid), a.map(uid));
  assert.notEqual(a.map(uid), b.map(uid));
  assert.match(a.map(uid), /^2\.25\.[1-9]\d{0,38}$/);
  assert.ok(a.map(uid).length <= 64);
});

test('an unreadable file is refused with its path named', () => {
  assert.throws(
    () =>
      deidentifyDicom('/tmp/not-dicom.dcm', new TextEncoder().encode('hello'), { uids: new UidRemapper() }),
    /not-dicom\.dcm/,
  );
});

test('every transfer syntax dcmtk writes survives de-identification with identical pixels', () => {
  const series = makeSeries({ orientation: 'axial', order: 'ascending', slices: 1, phi: true, seed: 8 });
  const source = series.files[0].path;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-deid-ts-'));
  const variants: [string, string[], string[]][] = [
    // name, dcmtk command making the input, command decoding our output to explicit little endian
    ['implicit', ['dcmconv', '+ti'], ['dcmconv', '+te']],
    ['big-endian', ['dcmconv', '+tb'], ['dcmconv', '+te']],
    ['deflated', ['dcmconv', '+td'], ['dcmconv', '+te']],
    ['rle', ['dcmcrle'], ['dcmdrle']],
    ['jpeg-ls', ['dcmcjpls'], ['dcmdjpls']],
  ];
  for (const [name, make, decode] of variants) {
    const input = path.join(dir, `${name}.dcm`);
    const output = path.join(dir, `${name}.out.dcm`);
    const decoded = path.join(dir, `${name}.decoded.dcm`);
    assert.equal(
      spawnSync(make[0], [...make.slice(1), source, input]).status,
      0,
      `${name}: dcmtk made the input`,
    );
    const result = deidentifyDicom(input, new Uint8Array(readFileSync(input)), { uids: new UidRemapper() });
    writeFileSync(output, result.bytes);
    assert.equal(
      spawnSync(decode[0], [...decode.slice(1), output, decoded]).status,
      0,
      `${name}: dcmtk decodes ours`,
    );
    const same = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys,pydicom; a,b=pydicom.dcmread(sys.argv[1]),pydicom.dcmread(sys.argv[2]); print(int((a.pixel_array==b.pixel_array).all() and not any(e.tag.is_private for e in b)), b.get("PatientIdentityRemoved"))',
        source,
        decoded,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(same.stdout.trim(), '1 YES', `${name}: ${same.stderr}`);
  }
});
