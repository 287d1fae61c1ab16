// Owns the API's error shape: RFC 9457 problem details whose `detail` says what failed and what to do.
// Route code throws ApiProblem; bad input from the DICOM layer (DicomError) becomes a 422 naming the file.
import { HTTPException } from 'hono/http-exception';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

export function problemResponse(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  });
}

export const notFound = (what: string, id: string | number) =>
  new ApiProblem(
    404,
    'Not found',
    `${what} ${id} does not exist — refresh the worklist; it may have been removed`,
  );

export const badRequest = (detail: string) => new ApiProblem(400, 'Bad request', detail);

export const forbidden = (detail: string) => new ApiProblem(403, 'Forbidden', detail);

export const conflict = (detail: string) => new ApiProblem(409, 'Conflict', detail);

export const tooLarge = (detail: string) => new ApiProblem(413, 'Content too large', detail);

export const unprocessable = (detail: string) => new ApiProblem(422, 'Unprocessable content', detail);

/**
 * Any error thrown while answering, as a problem response: ApiProblem keeps its status; a DicomError (a file
 * that cannot be read or decoded) is a 422 naming the file; the store's DatasetError maps its code (not-found
 * 404, conflict 409, invalid 400); anything else is a 500 whose detail is the
 * error's own message, so the person sees what failed rather than "internal error".
 */
export function problemFromError(error: unknown): Response {
  if (error instanceof ApiProblem) return problemResponse(error.status, error.title, error.detail);
  if (error instanceof HTTPException) {
    // hono's own refusals before a route runs: a body that is not JSON, a wrong content type.
    const detail =
      error.status === 415
        ? 'the body has the wrong content type — send application/json (or application/octet-stream for a mask)'
        : error.status === 400
          ? `${error.message} — send a JSON object as the body`
          : error.message;
    return problemResponse(
      error.status,
      error.status === 415 ? 'Unsupported media type' : 'Bad request',
      detail,
    );
  }
  if (error instanceof Error && error.name === 'DicomError') {
    return problemResponse(
      422,
      'Unreadable image',
      `${error.message} — the file may have changed since the import; re-import its folder`,
    );
  }
  if (error instanceof Error && error.name === 'DatasetError') {
    // The store's own refusals (src/dataset DatasetError) carry what kind of refusal they are.
    const code = (error as Error & { code?: string }).code;
    if (code === 'not-found') return problemResponse(404, 'Not found', error.message);
    if (code === 'conflict') return problemResponse(409, 'Conflict', error.message);
    return problemResponse(400, 'Bad request', error.message);
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return problemResponse(499, 'Cancelled', 'the request was cancelled before it finished');
  }
  const message = error instanceof Error ? error.message : String(error);
  return problemResponse(500, 'Internal error', `${message} — if it happens again, restart Overread`);
}
