// Owns applying the Basic Application Level Confidentiality Profile to one dataset, recursively: every
// attribute of Table E.1-1 gets its action, private attributes go, sequences are walked item by item.
import type { DicomDict, DicomElement } from '../write-seg/dcmjs-dict.ts';
import { isPrivateTag, resolveAction } from './confidentiality-profile.ts';
import type { UidRemapper } from './uid-remapper.ts';

export interface DeidentifyContext {
  uids: UidRemapper;
  /** Values for attributes the profile empties (Z) that we fill with a pseudonym instead, keyed by tag. */
  replacements?: Record<string, string>;
}

const DUMMY_TEXT = 'ANONYMIZED';
const DUMMY_BY_VR: Record<string, unknown[]> = {
  DA: ['19000101'],
  TM: ['000000'],
  DT: ['19000101000000'],
  AS: ['000Y'],
  IS: [0],
  DS: [0],
  US: [0],
  SS: [0],
  UL: [0],
  SL: [0],
  FL: [0],
  FD: [0],
  PN: [{ Alphabetic: DUMMY_TEXT }],
};

/**
 * Z allows "a non-zero length value that may be a dummy value": these get one because DICOMDIR building and
 * many archives need them (dciodvfy warns otherwise). Study Date, Study Time, Study ID.
 */
const DUMMY_FOR_EMPTY = new Set(['00080020', '00080030', '00200010']);

function textValue(vr: string, text: string): unknown[] {
  // A PN without "^" is the retired single-component form; a pseudonym is a family name.
  return vr === 'PN' ? [{ Alphabetic: text.includes('^') ? text : `${text}^` }] : [text];
}

function dummy(element: DicomElement): DicomElement {
  const { vr } = element;
  if (vr === 'SQ') return { vr, Value: [] };
  if (DUMMY_BY_VR[vr]) return { vr, Value: DUMMY_BY_VR[vr] };
  if (['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN', 'UR', 'AT'].includes(vr)) return { vr, Value: [] };
  return { vr, Value: [DUMMY_TEXT] };
}

/** De-identifies `dict` in place. */
export function deidentifyDataset(dict: DicomDict, context: DeidentifyContext): void {
  for (const tag of Object.keys(dict)) {
    const element = dict[tag];
    if (isPrivateTag(tag)) {
      delete dict[tag];
      continue;
    }
    const action = resolveAction(tag);
    if (action === 'X') {
      delete dict[tag];
    } else if (action === 'Z') {
      const replacement = context.replacements?.[tag];
      dict[tag] = replacement
        ? { vr: element.vr, Value: textValue(element.vr, replacement) }
        : DUMMY_FOR_EMPTY.has(tag)
          ? dummy(element)
          : { vr: element.vr, Value: [] };
    } else if (action === 'D') {
      const replacement = context.replacements?.[tag];
      dict[tag] = replacement
        ? { vr: element.vr, Value: textValue(element.vr, replacement) }
        : dummy(element);
    } else if (action === 'U' && element.vr === 'UI') {
      dict[tag] = { vr: 'UI', Value: (element.Value ?? []).map((uid) => context.uids.map(String(uid))) };
    } else if (element.vr === 'SQ') {
      // Kept sequences (and U* reference sequences) are walked: their items hold names and UIDs too.
      for (const item of element.Value ?? []) deidentifyDataset(item as DicomDict, context);
      dict[tag] = { vr: 'SQ', Value: element.Value ?? [] };
    }
  }
}
