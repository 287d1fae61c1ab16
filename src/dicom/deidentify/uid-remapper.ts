// Owns replacing identifying UIDs and ids with stable pseudonyms within one export: a keyed hash, so the same
// source UID always maps to the same new UID (a SEG still references its de-identified images) while nobody
// without the key can go back. New UIDs use the 2.25 root (PS3.5 B.2: a UUID-derived integer), no org root.
import { createHmac, randomBytes } from 'node:crypto';

export class UidRemapper {
  readonly #key: Buffer;
  readonly #seen = new Map<string, string>();

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  /** New UID for a source UID: 2.25.<128-bit integer>, at most 44 characters, deterministic per key. */
  map(uid: string): string {
    const trimmed = uid.replace(/\0/g, '').trim();
    if (!trimmed) return trimmed;
    let mapped = this.#seen.get(trimmed);
    if (!mapped) {
      const digest = createHmac('sha256', this.#key).update(`uid:${trimmed}`).digest();
      // Clear the top bits as a UUID (RFC 4122 version 4 layout) so the integer stays ≤ 39 digits.
      digest[6] = (digest[6] & 0x0f) | 0x40;
      digest[8] = (digest[8] & 0x3f) | 0x80;
      mapped = `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
      this.#seen.set(trimmed, mapped);
    }
    return mapped;
  }

  /** Every source → new UID pair made so far (for the optional key file). */
  pairs(): [string, string][] {
    return [...this.#seen];
  }
}

/** Sequential, readable pseudonyms per kind (case_0001, reader_01 …), stable within one export. */
export class Pseudonyms {
  readonly #byKind = new Map<string, Map<string, string>>();

  constructor(private readonly widths: Record<string, number> = {}) {}

  of(kind: string, original: string): string {
    let table = this.#byKind.get(kind);
    if (!table) this.#byKind.set(kind, (table = new Map()));
    let pseudonym = table.get(original);
    if (!pseudonym) {
      pseudonym = `${kind}_${String(table.size + 1).padStart(this.widths[kind] ?? 4, '0')}`;
      table.set(original, pseudonym);
    }
    return pseudonym;
  }

  /** kind → [original, pseudonym] pairs, for the optional key file. */
  entries(): Record<string, [string, string][]> {
    return Object.fromEntries([...this.#byKind].map(([kind, table]) => [kind, [...table]]));
  }
}
