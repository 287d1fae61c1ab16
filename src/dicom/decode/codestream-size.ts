// Owns reading the image size a compressed frame's own codestream declares (JPEG and JPEG-LS SOFn, JPEG 2000 and
// HTJ2K SIZ) so it can be checked against the header's Rows × Columns before a codec allocates for it: the
// fuzzer found a 2.8 KB JPEG-LS file whose SOF55 claimed 32768 lines and made CharLS grow the process by 1 GB.

export interface CodestreamSize {
  rows: number;
  columns: number;
}

/** SOFn markers of ITU T.81 (C0–CF but not DHT C4, JPG C8, DAC CC) and JPEG-LS SOF55 (F7). */
function isStartOfFrame(marker: number): boolean {
  return (
    (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
    marker === 0xf7
  );
}

/** Height and width from the first SOFn segment of a JPEG or JPEG-LS stream; undefined when none precedes SOS. */
export function jpegFrameSize(bytes: Uint8Array): CodestreamSize | undefined {
  let at = 0;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // SOI, RSTn and TEM carry no length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end before any frame header
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (isStartOfFrame(marker)) {
      return { rows: (bytes[at + 5] << 8) | bytes[at + 6], columns: (bytes[at + 7] << 8) | bytes[at + 8] };
    }
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

/** Image size from the SIZ segment of a JPEG 2000 / HTJ2K codestream (FF4F FF51 …), raw or inside a JP2 box. */
export function j2kImageSize(bytes: Uint8Array): CodestreamSize | undefined {
  // SIZ follows SOC directly in a codestream; a JP2 wrapper puts boxes first, so look a little way in.
  const limit = Math.min(bytes.length - 24, 4096);
  for (let at = 0; at <= limit; at++) {
    if (bytes[at] !== 0xff || bytes[at + 1] !== 0x4f || bytes[at + 2] !== 0xff || bytes[at + 3] !== 0x51)
      continue;
    // Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4): the image area is Xsiz − XOsiz by Ysiz − YOsiz.
    const view = new DataView(bytes.buffer, bytes.byteOffset + at + 4, 20);
    const columns = view.getUint32(4) - view.getUint32(12);
    const rows = view.getUint32(8) - view.getUint32(16);
    return { rows: Math.max(0, rows), columns: Math.max(0, columns) };
  }
  return undefined;
}

const J2K_SYNTAXES = new Set([
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.202',
  '1.2.840.10008.1.2.4.203',
]);

/**
 * Throws unless the codestream of a JPEG-family frame declares exactly the header's Rows × Columns, so a codec
 * never allocates for a size the header (already bounded in pixel-module.ts) does not claim.
 */
export function assertCodestreamSize(
  syntax: string,
  encoded: Uint8Array,
  rows: number,
  columns: number,
): void {
  const j2k = J2K_SYNTAXES.has(syntax);
  const size = j2k ? j2kImageSize(encoded) : jpegFrameSize(encoded);
  if (!size)
    throw new Error(
      `the compressed stream has no ${j2k ? 'SIZ' : 'frame (SOF)'} header before its data — the fragment is corrupt`,
    );
  if (size.rows !== rows || size.columns !== columns)
    throw new Error(
      `the compressed stream is ${size.columns} × ${size.rows} pixels, the header says ${columns} × ${rows} — the file is inconsistent`,
    );
}
