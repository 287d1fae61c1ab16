// Owns turning what dicom-parser throws (bare strings such as
// "littleEndianByteArrayParser.readUint16: attempt to read past end of buffer", or objects) into words a
// reader can act on: what is wrong with the file, without the library's function names.
const PLAIN: [RegExp, string][] = [
  [/read past end of buffer|buffer overread|buffer overrun/i, 'an element runs past the end of the file'],
  [/cannot be less than 0/i, 'an element has an impossible length or position'],
  [/cannot be greater than or equal to .byteArray. length/i, 'the file ends where an element should begin'],
  [
    /missing required meta header attribute 0002,0010/i,
    'the file meta header has no Transfer Syntax UID (0002,0010): the file is cut short or not DICOM Part 10',
  ],
  [/no inflater/i, 'the deflated data set could not be inflated'],
  [
    /basic ?offset ?table|(could not|unable to) find fragment/i,
    'the compressed frames do not match their offset table',
  ],
];

/** The reason dicom-parser gave, in plain words ('' when it gave none that means anything). */
export function parserErrorText(error: unknown): string {
  const text =
    error instanceof Error ? error.message : typeof error === 'string' ? error : String(error ?? '');
  if (text === '[object Object]' || text === '') return '';
  for (const [pattern, plain] of PLAIN) if (pattern.test(text)) return plain;
  // Unknown text: keep it, minus the "dicomParser.someFunction: " prefix.
  return text.replace(/^[A-Za-z]+(\.[A-Za-z0-9]+)*[.:] ?[A-Za-z0-9]*: /, '');
}
