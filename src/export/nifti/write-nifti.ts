// Owns encoding a Volume as a gzipped single-file NIfTI-1 (.nii.gz): header, voxel data, compression.
// Hand-written because npm has no maintained NIfTI *writer*: nifti-reader-js only reads, and nifti-js
// (1.0.1, unmaintained) drops the qform/sform codes we need. The format is a fixed 348-byte header, so a
// small, tested encoder is less risk than a dependency.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import os from 'node:os';
import type { Volume } from '../../dicom/volume.ts';
import { voxelCount } from '../../dicom/volume.ts';
import { niftiSpatial } from './nifti-affine.ts';

const gzipAsync = promisify(gzip);

export type NiftiDataType = 'uint8' | 'int16' | 'float32';

const DATATYPE: Record<NiftiDataType, { code: number; bits: number }> = {
  uint8: { code: 2, bits: 8 },
  int16: { code: 4, bits: 16 },
  float32: { code: 16, bits: 32 },
};

export interface NiftiOptions {
  /** Storage type; default: int16 when every voxel is an integer in range (CT HU), else float32. */
  dataType?: NiftiDataType;
  /** Free text for the header's descrip (80 bytes); must carry no patient data. */
  description?: string;
  /** NIfTI intent: 'label' marks a label map (NIFTI_INTENT_LABEL = 1002). */
  intent?: 'label';
  /** zlib level 1–9; default 6 (what dcm2niix and nibabel use). */
  compressionLevel?: number;
}

const HEADER_BYTES = 348;
if (os.endianness() !== 'LE') throw new Error('NIfTI export: typed arrays are written as little-endian only');
const VOX_OFFSET = 352; // header + 4-byte extension flag (no extensions)

/** The storage type that represents every voxel exactly and most compactly among int16/float32. */
export function chooseImageDataType(voxels: ArrayLike<number>): NiftiDataType {
  if (voxels instanceof Int16Array || voxels instanceof Uint8Array || voxels instanceof Int8Array)
    return 'int16';
  for (let i = 0; i < voxels.length; i++) {
    const v = voxels[i];
    if (!Number.isInteger(v) || v < -32768 || v > 32767) return 'float32';
  }
  return 'int16';
}

/** Uncompressed .nii bytes (header + data). */
export function encodeNifti(volume: Volume<ArrayLike<number>>, options: NiftiOptions = {}): Buffer {
  const { geometry, voxels } = volume;
  const count = voxelCount(geometry);
  if (voxels.length !== count) {
    throw new Error(
      `NIfTI export: volume has ${voxels.length} voxels but its geometry ${geometry.size.join('×')} needs ${count}`,
    );
  }
  const dataType = options.dataType ?? (options.intent === 'label' ? 'uint8' : chooseImageDataType(voxels));
  const { bits } = DATATYPE[dataType];
  // Buffer.alloc never hands out a pooled slice, so the data offset (352) keeps typed-array alignment.
  const out = Buffer.alloc(VOX_OFFSET + (count * bits) / 8);
  writeHeader(out, volume, dataType, options);
  const Typed = dataType === 'uint8' ? Uint8Array : dataType === 'int16' ? Int16Array : Float32Array;
  const body = new Typed(out.buffer, out.byteOffset + VOX_OFFSET, count);
  if (dataType === 'uint8' && voxels instanceof Uint8Array) {
    body.set(voxels);
  } else if (dataType === 'uint8') {
    // Clamp so a stray label > 255 cannot wrap to a different class.
    for (let i = 0; i < count; i++) body[i] = Math.min(255, Math.max(0, voxels[i]));
  } else if (ArrayBuffer.isView(voxels)) {
    body.set(voxels as unknown as ArrayLike<number>);
  } else {
    for (let i = 0; i < count; i++) body[i] = voxels[i];
  }
  return out;
}

/** Gzipped .nii.gz bytes, compressed off the main thread (zlib's thread pool). */
export async function encodeNiftiGz(
  volume: Volume<ArrayLike<number>>,
  options: NiftiOptions = {},
): Promise<Buffer> {
  return gzipAsync(encodeNifti(volume, options), { level: options.compressionLevel ?? 6 });
}

function writeHeader(
  out: Buffer,
  volume: Volume<ArrayLike<number>>,
  dataType: NiftiDataType,
  options: NiftiOptions,
): void {
  const { geometry, voxels } = volume;
  const { code, bits } = DATATYPE[dataType];
  const spatial = niftiSpatial(geometry);
  out.writeInt32LE(HEADER_BYTES, 0);
  out.write('r', 38, 'latin1'); // "regular", as nibabel writes it
  const dim = [3, geometry.size[0], geometry.size[1], geometry.size[2], 1, 1, 1, 1];
  dim.forEach((v, i) => out.writeInt16LE(v, 40 + i * 2));
  out.writeInt16LE(options.intent === 'label' ? 1002 : 0, 68);
  out.writeInt16LE(code, 70);
  out.writeInt16LE(bits, 72);
  const pixdim = [spatial.qfac, geometry.spacing[0], geometry.spacing[1], geometry.spacing[2], 0, 0, 0, 0];
  pixdim.forEach((v, i) => out.writeFloatLE(v, 76 + i * 4));
  out.writeFloatLE(VOX_OFFSET, 108);
  out.writeFloatLE(1, 112); // scl_slope: stored values are the real values
  out.writeFloatLE(0, 116);
  out.writeUInt8(2, 123); // xyzt_units: NIFTI_UNITS_MM
  if (options.intent === 'label') {
    let max = 0;
    for (let i = 0; i < voxels.length; i++) if (voxels[i] > max) max = voxels[i];
    out.writeFloatLE(max, 124); // cal_max: viewers pick a sensible window for the labels
  }
  out.write((options.description ?? 'Overread export').slice(0, 79), 148, 'latin1');
  out.writeInt16LE(1, 252); // qform_code NIFTI_XFORM_SCANNER_ANAT: DICOM patient coordinates
  out.writeInt16LE(1, 254); // sform_code, the same frame
  spatial.quatern.forEach((v, i) => out.writeFloatLE(v, 256 + i * 4));
  spatial.qoffset.forEach((v, i) => out.writeFloatLE(v, 268 + i * 4));
  spatial.srow.forEach((row, r) => row.forEach((v, c) => out.writeFloatLE(v, 280 + r * 16 + c * 4)));
  out.write('n+1\0', 344, 'latin1');
}
