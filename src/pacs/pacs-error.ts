// Owns the one error type the PACS code throws: a sentence a person can act on (which server, what failed,
// what to do), plus a kind the callers branch on. Never carries credentials, patient names or IDs.

export type PacsErrorKind =
  /** The server refused the credentials (HTTP 401/403). */
  | 'auth'
  /** No connection could be made (refused, host unknown, timed out). */
  | 'unreachable'
  /** The connection broke part-way through a response. */
  | 'interrupted'
  /** The caller cancelled. */
  | 'aborted'
  /** The server answered with an error status. */
  | 'http'
  /** The server answered, but not in DICOMweb's format. */
  | 'protocol'
  /** The settings are wrong or incomplete (unknown server, missing secret). */
  | 'config';

export class PacsError extends Error {
  readonly kind: PacsErrorKind;
  readonly status?: number;
  constructor(kind: PacsErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PacsError';
    this.kind = kind;
    this.status = options.status;
  }
}

/** The network error code under undici's "fetch failed" / "terminated" TypeErrors, if any. */
export function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbort(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'AbortError' || (error instanceof PacsError && error.kind === 'aborted');
}
