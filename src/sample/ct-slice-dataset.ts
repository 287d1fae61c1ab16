// The DICOM attributes of one slice of a synthetic study as a CT Image Storage instance: every Type 1 and
// Type 2 attribute of the CT Image IOD's modules (Patient, General Study, Patient Study, General Series,
// Frame of Reference, General Equipment, General Image, General Acquisition, Image Plane, Image Pixel,
// CT Image, VOI LUT, SOP Common), so dciodvfy has nothing to report.
import { tag, type DicomElement } from '../dicom/write/write-part10.ts';
import type { SampleStudy } from './generate-study.ts';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A DS value: at most 16 characters, no exponent. */
export function decimalString(value: number): string {
  for (let digits = 6; digits >= 0; digits--) {
    const text = String(Number(value.toFixed(digits)));
    if (text.length <= 16 && !text.includes('e')) return text;
  }
  throw new Error(`decimal ${value} does not fit a DS value`);
}

function time(base: string, seconds: number): string {
  const total =
    Number(base.slice(0, 2)) * 3600 + Number(base.slice(2, 4)) * 60 + Number(base.slice(4, 6)) + seconds;
  const h = Math.floor(total / 3600) % 24;
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  const whole = Math.floor(s);
  const fraction = Math.round((s - whole) * 1000);
  const pad = (v: number, n = 2): string => String(v).padStart(n, '0');
  return `${pad(h)}${pad(m)}${pad(whole)}.${pad(fraction, 3)}`;
}

/** Stored pixel values for slice k (ascending z) under the study's storage choice. */
export function storedPixels(study: SampleStudy, k: number): Uint8Array {
  const [nx, ny] = study.geometry.size;
  const count = nx * ny;
  const bytes = new Uint8Array(count * 2);
  const view = new DataView(bytes.buffer);
  const offset = k * count;
  const ceiling = study.acquisition.storage === 'unsigned-12' ? 4095 : 32767;
  const signed = study.acquisition.storage === 'signed-16';
  for (let n = 0; n < count; n++) {
    const stored = Math.min(ceiling, study.hu[offset + n] + 1024);
    if (signed) view.setInt16(n * 2, stored, true);
    else view.setUint16(n * 2, stored, true);
  }
  return bytes;
}

export function ctSliceDataset(study: SampleStudy, k: number): DicomElement[] {
  const { identity, acquisition, geometry, uids } = study;
  const [nx, ny, nz] = geometry.size;
  const z = geometry.origin[2] + k * geometry.spacing[2];
  const instanceNumber = acquisition.numberFromTop ? nz - k : k + 1;
  const bitsStored = acquisition.storage === 'unsigned-12' ? 12 : 16;
  const position = [geometry.origin[0], geometry.origin[1], z].map(decimalString);
  const acquired = time(identity.studyTime, 60 + (instanceNumber - 1) * 0.05);
  const e = (group: number, element: number, vr: string, value: DicomElement['value']): DicomElement => ({
    tag: tag(group, element),
    vr,
    value,
  });
  const description = acquisition.contrast ? 'CT CHEST WITH CONTRAST' : 'CT CHEST WITHOUT CONTRAST';
  return [
    e(0x0008, 0x0005, 'CS', 'ISO_IR 100'),
    e(0x0008, 0x0008, 'CS', ['ORIGINAL', 'PRIMARY', 'AXIAL']),
    e(0x0008, 0x0012, 'DA', identity.studyDate),
    e(0x0008, 0x0013, 'TM', identity.studyTime),
    e(0x0008, 0x0016, 'UI', CT_IMAGE_STORAGE),
    e(0x0008, 0x0018, 'UI', uids.instances[k]),
    e(0x0008, 0x0020, 'DA', identity.studyDate),
    e(0x0008, 0x0021, 'DA', identity.studyDate),
    e(0x0008, 0x0022, 'DA', identity.studyDate),
    e(0x0008, 0x0023, 'DA', identity.studyDate),
    e(0x0008, 0x0030, 'TM', identity.studyTime),
    e(0x0008, 0x0031, 'TM', time(identity.studyTime, 55)),
    e(0x0008, 0x0032, 'TM', acquired),
    e(0x0008, 0x0033, 'TM', acquired),
    e(0x0008, 0x0050, 'SH', identity.accessionNumber),
    e(0x0008, 0x0060, 'CS', 'CT'),
    e(0x0008, 0x0070, 'LO', 'Overread Synthetic'),
    e(0x0008, 0x0080, 'LO', identity.institution),
    e(0x0008, 0x0090, 'PN', ''),
    e(0x0008, 0x1030, 'LO', description),
    e(0x0008, 0x103e, 'LO', `AXIAL ${decimalString(acquisition.sliceThickness)}MM ${identity.kernel}`),
    e(0x0008, 0x1090, 'LO', identity.model),
    e(0x0010, 0x0010, 'PN', identity.patientName),
    e(0x0010, 0x0020, 'LO', identity.patientId),
    e(0x0010, 0x0030, 'DA', identity.birthDate),
    e(0x0010, 0x0040, 'CS', identity.sex),
    e(0x0010, 0x1010, 'AS', identity.age),
    e(0x0018, 0x0015, 'CS', 'CHEST'),
    e(0x0018, 0x0050, 'DS', decimalString(acquisition.sliceThickness)),
    e(0x0018, 0x0060, 'DS', String(identity.kvp)),
    e(0x0018, 0x0088, 'DS', decimalString(acquisition.sliceSpacing)),
    e(0x0018, 0x1000, 'LO', identity.deviceSerial),
    e(0x0018, 0x1020, 'LO', 'overread-sample 1'),
    e(0x0018, 0x1100, 'DS', decimalString(geometry.spacing[0] * nx)),
    e(0x0018, 0x1150, 'IS', String(identity.exposureTime)),
    e(0x0018, 0x1151, 'IS', String(identity.tubeCurrent)),
    e(0x0018, 0x1152, 'IS', String(Math.round((identity.tubeCurrent * identity.exposureTime) / 1000))),
    e(0x0018, 0x1210, 'SH', identity.kernel),
    e(0x0018, 0x5100, 'CS', 'HFS'),
    e(0x0020, 0x000d, 'UI', uids.study),
    e(0x0020, 0x000e, 'UI', uids.series),
    e(0x0020, 0x0010, 'SH', identity.studyId),
    e(0x0020, 0x0011, 'IS', '2'),
    e(0x0020, 0x0012, 'IS', '1'),
    e(0x0020, 0x0013, 'IS', String(instanceNumber)),
    e(0x0020, 0x0032, 'DS', position),
    e(0x0020, 0x0037, 'DS', ['1', '0', '0', '0', '1', '0']),
    e(0x0020, 0x0052, 'UI', uids.frameOfReference),
    e(0x0020, 0x1040, 'LO', ''),
    e(0x0020, 0x1041, 'DS', decimalString(z)),
    e(0x0028, 0x0002, 'US', 1),
    e(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    e(0x0028, 0x0010, 'US', ny),
    e(0x0028, 0x0011, 'US', nx),
    e(0x0028, 0x0030, 'DS', [decimalString(geometry.spacing[1]), decimalString(geometry.spacing[0])]),
    e(0x0028, 0x0100, 'US', 16),
    e(0x0028, 0x0101, 'US', bitsStored),
    e(0x0028, 0x0102, 'US', bitsStored - 1),
    e(0x0028, 0x0103, 'US', acquisition.storage === 'signed-16' ? 1 : 0),
    e(0x0028, 0x1050, 'DS', ['-600', '40']),
    e(0x0028, 0x1051, 'DS', ['1500', '400']),
    e(0x0028, 0x1052, 'DS', '-1024'),
    e(0x0028, 0x1053, 'DS', '1'),
    e(0x0028, 0x1054, 'LO', 'HU'),
    e(0x7fe0, 0x0010, 'OW', storedPixels(study, k)),
  ];
}
