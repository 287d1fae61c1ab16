// Owns the API's error shape: RFC 9457 problem details whose `detail` says what failed and what to do.
// Route code throws ApiProblem; bad input from the DICOM layer (DicomError) becomes a 422 naming the file.

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
