// Owns the Basic Application Level Confidentiality Profile (PS3.15 Table E.1-1) as data, and the one place
// where its conditional actions are resolved to what Overread does.
//
// Resolution of the conditional codes (the standard lets the implementer choose per IOD):
//   - an attribute Type 1 in an IOD we write (SEG's Content Date/Time, Device Serial Number) gets D when the
//     code allows D: a dummy value keeps the object valid;
//   - an attribute Type 2 we must keep present (patient/study identity, Content Creator's Name) gets Z when the
//     code allows Z (and may then be filled with a pseudonym, which the standard allows for Z);
//   - X/Z/U* (Referenced/Source Image Sequence) is kept with its UIDs remapped (U), so references still resolve;
//   - otherwise X when allowed (remove: the least left behind), else Z, else D.
import profileRows from './confidentiality-profile.json' with { type: 'json' };

export type BasicAction = 'X' | 'Z' | 'D' | 'U';

interface ProfileRow {
  name: string;
  tag: string;
  id: string;
  basicProfile: string;
}

/** Tags (8 upper-case hex digits) of attributes Type 1 in an IOD we export (CT image copy, SEG). */
const MUST_HAVE_VALUE = new Set(['00080023', '00080033', '00181000']);
/** Tags Type 2 in an IOD we export: present, possibly empty. */
const MUST_BE_PRESENT = new Set([
  '00100010', // Patient's Name
  '00100020', // Patient ID
  '00100030', // Patient's Birth Date
  '00100040', // Patient's Sex
  '00080020', // Study Date
  '00080030', // Study Time
  '00080090', // Referring Physician's Name
  '00200010', // Study ID
  '00080050', // Accession Number
  '00700084', // Content Creator's Name
]);

const rows = profileRows as ProfileRow[];
const byTag = new Map<string, { name: string; code: string }>();
for (const row of rows) {
  if (/^[0-9a-f]{8}$/i.test(row.id))
    byTag.set(row.id.toUpperCase(), { name: row.name, code: row.basicProfile });
}

/** Every attribute of Table E.1-1 with a concrete tag, for tests and reports. */
export function profileEntries(): { tag: string; name: string; code: string }[] {
  return [...byTag].map(([tag, { name, code }]) => ({ tag, name, code }));
}

/** The table's code for a tag, including its repeating-group rows (50xx curves, 60xx overlays). */
export function profileCode(tag: string): string | undefined {
  const upper = tag.toUpperCase();
  const exact = byTag.get(upper);
  if (exact) return exact.code;
  const group = upper.slice(0, 4);
  const element = upper.slice(4);
  if (group.startsWith('50') && Number.parseInt(group, 16) % 2 === 0) return 'X'; // (50xx,xxxx) curve data
  if (group.startsWith('60') && (element === '4000' || element === '3000')) return 'X'; // overlay comments/data
  return undefined;
}

/** What we do to an attribute listed in the table; undefined when the table does not list it (kept). */
export function resolveAction(tag: string): BasicAction | undefined {
  const code = profileCode(tag);
  if (!code) return undefined;
  const upper = tag.toUpperCase();
  const options = code.replace('*', '').split('/') as BasicAction[];
  if (options.length === 1) return options[0];
  if (options.includes('U')) return 'U';
  if (MUST_HAVE_VALUE.has(upper) && options.includes('D')) return 'D';
  if (MUST_BE_PRESENT.has(upper) && options.includes('Z')) return 'Z';
  if (options.includes('X')) return 'X';
  return options.includes('Z') ? 'Z' : 'D';
}

export function isPrivateTag(tag: string): boolean {
  return Number.parseInt(tag.slice(0, 4), 16) % 2 === 1;
}
